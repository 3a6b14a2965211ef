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
    // The duration counts from the first media connection: start the test's clock there.
    await connectedOn(alice);
    await connectedOn(bob);
    const connectedAt = Date.now();

    await carol.seesOnline(bob);
    await carol.page.getByRole('button', { name: `Call ${bob.username}`, exact: true }).click();
    await carol.reads(`${bob.username} is busy on another call. Try again later.`);
    await carol.dismissOutcome();

    await alice.hangUp();
    const heldSeconds = (Date.now() - connectedAt) / 1000;
    // Both sentences name a duration the test measured itself, not one read off the page.
    const bobSaw = await durationIn(bob, `${alice.username} ended the call after `);
    const aliceSaw = await durationIn(alice, `You ended the call with ${bob.username} after `);
    console.log(
      `[scenario-4b-busy] held ${heldSeconds.toFixed(1)} s; sentences say ${aliceSaw} s (caller), ${bobSaw} s (callee)`,
    );
    for (const seconds of [aliceSaw, bobSaw]) {
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(Math.abs(seconds - heldSeconds)).toBeLessThanOrEqual(3);
    }
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

async function connectedOn(person: Person): Promise<void> {
  await person.page
    .getByTestId('call-state')
    .getByText('Connected', { exact: true })
    .waitFor({ timeout: 30_000 });
}

/** Waits for the hang-up sentence `<prefix>m:ss.` and returns its duration in seconds. */
async function durationIn(person: Person, prefix: string): Promise<number> {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const status = person.page.getByTestId('call-status');
  await status.getByText(new RegExp(`^${escaped}\\d+:\\d{2}\\.$`)).waitFor();
  const match = /(\d+):(\d{2})\.$/.exec(await status.innerText());
  if (!match) throw new Error(`no duration in the sentence of ${person.username}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

async function expectNoDialog(person: Person): Promise<void> {
  await person.page
    .getByRole('alertdialog', { name: 'Incoming call' })
    .waitFor({ state: 'detached' });
}
