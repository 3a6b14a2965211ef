import type { Page } from 'playwright-core';
import {
  type CallgateStack,
  hangUp,
  liveCameraTracks,
  type Person,
  receivedSignals,
  relaySockets,
  remoteCandidates,
  RING_TIMEOUT_MS,
  waitForDecodedVideo,
} from '@callgate/e2e-support';

/** Polls `read` until `accept` holds; fails with the last value after `timeoutMs`. */
async function until<T>(
  what: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

/** The callee's page holds a connection with the caller's offer applied (pre-negotiated). */
function preparedWithOffer(page: Page): Promise<unknown> {
  return page.waitForFunction(() =>
    (window.__e2ePeerConnections ?? []).some(
      (pc) => pc.connectionState !== 'closed' && pc.remoteDescription?.type === 'offer',
    ),
  );
}

/** Neither page keeps a camera, a connection, nor coturn an allocation, of the ended ring. */
async function expectReleased(
  stack: CallgateStack,
  people: Person[],
  relaysBefore: number,
  label: string,
): Promise<void> {
  for (const person of people) {
    await person.page.waitForFunction(() =>
      (window.__e2ePeerConnections ?? []).every((pc) => pc.connectionState === 'closed'),
    );
    await until(
      `${person.username}'s live camera tracks`,
      () => liveCameraTracks(person.page),
      (n) => n === 0,
    );
  }
  // At most: the page's short UDP probe (udp-relay-probe.ts) may have held one at "before".
  const after = await until(
    'coturn relay sockets',
    () => relaySockets(stack.turn),
    (n) => n <= relaysBefore,
  );
  console.log(`[${label}] coturn relay sockets back to ${after} (${relaysBefore} before the ring)`);
}

/**
 * Pre-negotiation while ringing (issue 13): what the ring prepares, what it must not
 * reveal before Accept, and that every unanswered end releases camera and allocations.
 */
export function describeRinging(
  stack: () => CallgateStack,
  people: () => { alice: Person; bob: Person },
): void {
  it('13a. privacy: while it rings the callee holds the offer, but the caller gets nothing of the callee before Accept', async () => {
    const { alice, bob } = people();
    const callerSignalsBefore = (await receivedSignals(alice.page)).length;
    const calleeSignalsBefore = (await receivedSignals(bob.page)).length;
    await alice.call(bob);
    await bob.hearsRingingFrom(alice);
    await preparedWithOffer(bob.page);
    expect(await liveCameraTracks(bob.page)).toBeGreaterThan(0);
    // The ringing dialog shows that camera (the preview), playing, before Accept.
    await bob.page.waitForFunction(() => {
      const preview = document.querySelector<HTMLVideoElement>('[data-testid="ringing-preview"]');
      return preview !== null && preview.readyState >= 2 && preview.videoWidth > 0;
    });
    expect(
      await bob.page
        .getByRole('alertdialog')
        .getByLabel('Your camera preview (not sent until you accept)')
        .count(),
    ).toBe(1);
    // Time in which ICE checks or trickled candidates would have reached the caller.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await remoteCandidates(alice.page)).toEqual([]);
    expect((await receivedSignals(alice.page)).slice(callerSignalsBefore)).toEqual([]);
    const offered = (await receivedSignals(bob.page)).slice(calleeSignalsBefore);
    expect(offered.map((s) => s.kind)).toContain('offer');

    const acceptedAt = await bob.accept();
    await waitForDecodedVideo(alice.page, { timeoutMs: 45_000 });
    await waitForDecodedVideo(bob.page, { timeoutMs: 45_000 });
    const fromCallee = (await receivedSignals(alice.page)).slice(callerSignalsBefore);
    console.log(
      `[scenario-13a-privacy] caller received ${fromCallee.length} signals from the callee, first ${fromCallee[0]?.kind} ${(fromCallee[0]?.at ?? 0) - acceptedAt} ms after Accept; callee got ${offered.length} while ringing`,
    );
    // The probe sees the callee's signals once they are allowed: the check above can fail.
    expect(fromCallee[0]?.kind).toBe('answer');
    expect((await remoteCandidates(alice.page)).length).toBeGreaterThan(0);
    await hangUp(alice, bob);
  });

  it('13b. decline while ringing leaves no camera, no connection and no TURN allocation', async () => {
    const { alice, bob } = people();
    const before = await relaySockets(stack().turn);
    await alice.call(bob);
    await bob.hearsRingingFrom(alice);
    await preparedWithOffer(bob.page);
    const ringing = await until(
      'relay sockets while ringing',
      () => relaySockets(stack().turn),
      (n) => n > before,
    );
    console.log(`[scenario-13b-decline] ringing holds ${ringing - before} coturn relay sockets`);
    await bob.decline();
    await alice.reads(`${bob.username} declined the call.`);
    await expectReleased(stack(), [alice, bob], before, 'scenario-13b-decline');
    await alice.dismissOutcome();
    await bob.dismissOutcome();
  });

  it('13c. a ring that times out leaves no camera, no connection and no TURN allocation', async () => {
    const { alice, bob } = people();
    const before = await relaySockets(stack().turn);
    await alice.call(bob);
    await bob.hearsRingingFrom(alice);
    await preparedWithOffer(bob.page);
    await until(
      'relay sockets while ringing',
      () => relaySockets(stack().turn),
      (n) => n > before,
    );
    await alice.page.getByText(`${bob.username} didn't answer.`, { exact: true }).waitFor({
      timeout: RING_TIMEOUT_MS + 10_000,
    });
    await bob.reads(`You missed a call from ${alice.username}.`);
    await expectReleased(stack(), [alice, bob], before, 'scenario-13c-timeout');
    await alice.dismissOutcome();
    await bob.dismissOutcome();
  });
}
