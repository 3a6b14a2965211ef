import { type Person, RING_TIMEOUT_MS } from '@callgate/e2e-support';

/** Scenario 4: declined, busy, ring timeout, caller cancel — each a plain sentence. */
export function describeCallOutcomes(
  people: () => { alice: Person; bob: Person; carol: Person },
): void {
  it('4a. decline: both sides read who declined', async () => {
    const { alice, bob } = people();
    await alice.call(bob);
    await bob.hearsRingingFrom(alice);
    await bob.decline();
    await alice.reads(`${bob.username} declined the call.`);
    await bob.reads(`You declined the call from ${alice.username}.`);
    await alice.dismissOutcome();
    await bob.dismissOutcome();
  });

  it('4b. busy: a third caller is told the callee is on another call', async () => {
    const { alice, bob, carol } = people();
    await alice.call(bob);
    await bob.hearsRingingFrom(alice);
    await bob.accept();
    await bob.page.getByRole('button', { name: 'Hang up' }).waitFor();

    await carol.seesOnline(bob);
    await carol.page.getByRole('button', { name: `Call ${bob.username}`, exact: true }).click();
    await carol.reads(`${bob.username} is busy on another call. Try again later.`);
    await carol.dismissOutcome();

    await alice.hangUp();
    await bob.reads(`${alice.username} ended the call` + (await durationSuffix(bob)));
    await alice.dismissOutcome();
    await bob.dismissOutcome();
  });

  it('4c. ring timeout: the caller reads that nobody answered, the callee sees a missed call', async () => {
    const { alice, bob } = people();
    await alice.call(bob);
    await bob.hearsRingingFrom(alice);
    const rangAt = Date.now();
    await alice.page.getByText(`${bob.username} didn't answer.`, { exact: true }).waitFor({
      timeout: RING_TIMEOUT_MS + 10_000,
    });
    const rangMs = Date.now() - rangAt;
    console.log(
      `[scenario-4c-timeout] ring ended after ${rangMs} ms (RING_TIMEOUT_MS=${RING_TIMEOUT_MS})`,
    );
    expect(rangMs).toBeGreaterThan(RING_TIMEOUT_MS - 2_000);
    await bob.reads(`You missed a call from ${alice.username}.`);
    await alice.dismissOutcome();
    await bob.dismissOutcome();
  });

  it('4d. caller cancel: both sides read that the call was cancelled', async () => {
    const { alice, bob } = people();
    await alice.call(bob);
    await bob.hearsRingingFrom(alice);
    await alice.cancel();
    await alice.reads('You cancelled the call.');
    await bob.reads(`${alice.username} cancelled the call.`);
    await expectNoDialog(bob);
    await alice.dismissOutcome();
    await bob.dismissOutcome();
  });
}

/** The hang-up sentence ends with " after m:ss." once the call was answered. */
async function durationSuffix(person: Person): Promise<string> {
  const text = await person.page.getByTestId('call-status').innerText();
  const match = / after [^.]+\.$/.exec(text);
  return match ? match[0] : '.';
}

async function expectNoDialog(person: Person): Promise<void> {
  await person.page
    .getByRole('alertdialog', { name: 'Incoming call' })
    .waitFor({ state: 'detached' });
}
