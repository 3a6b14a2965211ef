import {
  axeViolations,
  type CallgateStack,
  connectCall,
  hangUp,
  Person,
} from '@callgate/e2e-support';

/** Scenario 11 (issue 11, "small things"): a clean first load, and two axe-core rules. */
export function describeFirstLoadAndAccessibility(
  stack: () => CallgateStack,
  people: () => { alice: Person; bob: Person },
): void {
  it('11a. the first load without a session shows no failed request and no console error', async () => {
    const visitor = await Person.open(
      stack().browsers['browser-a'],
      `visitor-${Date.now().toString(36)}`,
    );
    try {
      await visitor.page.getByRole('button', { name: 'Sign in' }).waitFor();
      // Anything the page would still fetch on its own (a refresh, a socket) has had time.
      await visitor.page.waitForTimeout(2_000);
      expect(visitor.failures).toEqual([]);
    } finally {
      await visitor.leave();
    }
  });

  it('11b. axe-core: Settings passes colour-contrast, the call page passes the definition-list rules', async () => {
    const { alice, bob } = people();
    await alice.page.getByRole('link', { name: 'Settings' }).click();
    await alice.page.getByRole('switch', { name: 'Relay only (force TURN)' }).waitFor();
    const settings = await axeViolations(alice.page, ['color-contrast']);
    expect(settings.violations).toEqual([]);
    expect(settings.passed).toContain('color-contrast');
    await alice.goToContacts();

    await connectCall(alice, bob, 'scenario-11-axe');
    try {
      for (const person of [alice, bob]) {
        await person.page.getByTestId('rtt').waitFor();
        const call = await axeViolations(person.page, ['definition-list', 'dlitem']);
        expect(call.violations).toEqual([]);
        expect(call.passed).toEqual(expect.arrayContaining(['definition-list', 'dlitem']));
      }
      await hangUp(alice, bob);
    } finally {
      await alice.endAnyCall();
      await bob.endAnyCall();
    }
  });
}
