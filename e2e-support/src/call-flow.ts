import type { Person } from './person.js';
import {
  describeCandidate,
  expectVideoFlowing,
  type MediaSnapshot,
  waitForDecodedVideo,
} from './webrtc-probe.js';

/** What one connected call measured, printed for every scenario. */
export interface ConnectedCall {
  caller: MediaSnapshot;
  callee: MediaSnapshot;
  /** From the click on "Accept" to the first decoded remote frame, per side. */
  acceptToFirstFrameMs: { caller: number; callee: number };
  badges: { caller: string; callee: string };
}

/**
 * `caller` calls `callee` through the UI, `callee` accepts, and both sides must decode
 * video that keeps flowing. Prints the figures and saves in-call screenshots.
 */
export async function connectCall(
  caller: Person,
  callee: Person,
  label: string,
): Promise<ConnectedCall> {
  await caller.call(callee);
  await callee.hearsRingingFrom(caller);
  const acceptedAt = await callee.accept();
  const firstFrame = async (person: Person): Promise<number> => {
    await waitForDecodedVideo(person.page, { timeoutMs: 45_000 });
    return Date.now() - acceptedAt;
  };
  const [callerMs, calleeMs] = await Promise.all([firstFrame(caller), firstFrame(callee)]).catch(
    async (error: unknown) => {
      await caller.screenshot(`${label}-FAILED-caller`).catch(() => undefined);
      await callee.screenshot(`${label}-FAILED-callee`).catch(() => undefined);
      console.log(
        `[${label}] no media:\n${await caller.diagnostics()}\n${await callee.diagnostics()}`,
      );
      throw error;
    },
  );
  const [callerStats, calleeStats] = await Promise.all([
    expectVideoFlowing(caller.page),
    expectVideoFlowing(callee.page),
  ]);
  const badges = { caller: await caller.connectionBadge(), callee: await callee.connectionBadge() };
  // Screenshots are evidence, not assertions: on a saturated machine (load average ~100
  // seen here) Chromium's capture alone overran the 15-s UI timeout after the media checks
  // had passed, failing six scenarios that had connected.
  for (const [person, side] of [
    [caller, 'caller'],
    [callee, 'callee'],
  ] as const) {
    await person
      .screenshot(`${label}-${side}`)
      .catch((error: unknown) =>
        console.log(`[${label}] ${side} screenshot skipped: ${String(error)}`),
      );
  }
  console.log(
    [
      `[${label}] Accept → first decoded remote frame: callee ${calleeMs} ms, caller ${callerMs} ms`,
      `[${label}] caller pair ${describeCandidate(callerStats.local)} ↔ ${describeCandidate(callerStats.remote)}` +
        ` (badge "${badges.caller}", policy ${callerStats.iceTransportPolicy}, ${callerStats.framesDecoded} frames decoded)`,
      `[${label}] callee pair ${describeCandidate(calleeStats.local)} ↔ ${describeCandidate(calleeStats.remote)}` +
        ` (badge "${badges.callee}", policy ${calleeStats.iceTransportPolicy}, ${calleeStats.framesDecoded} frames decoded)`,
    ].join('\n'),
  );
  return {
    caller: callerStats,
    callee: calleeStats,
    acceptToFirstFrameMs: { caller: callerMs, callee: calleeMs },
    badges,
  };
}

/** `by` hangs up; both sides leave the call and close their peer connections. */
export async function hangUp(by: Person, other: Person): Promise<void> {
  await by.hangUp();
  await by.page.getByText(new RegExp(`^You ended the call with ${other.username}`)).waitFor();
  await other.page.getByText(new RegExp(`^${by.username} ended the call`)).waitFor();
  for (const person of [by, other]) {
    await person.page.waitForFunction(() =>
      (window.__e2ePeerConnections ?? []).every((pc) => pc.connectionState === 'closed'),
    );
    await person.dismissOutcome();
  }
}

/** How a call's media may travel: the app's "Relay only" switch off or on. */
export type CallMode = 'direct' | 'relay-only';

/**
 * Runs `body` in `mode` for every person: "Relay only" switched on first for relay-only,
 * and afterwards, whatever happened, any call still up ended (a failure mid-call leaves the
 * call screen up) and the switch back off, so the next scenario starts from the contacts.
 */
export async function inMode(
  mode: CallMode,
  people: Person[],
  body: () => Promise<void>,
): Promise<void> {
  if (mode === 'relay-only') for (const person of people) await person.setRelayOnly(true);
  try {
    await body();
  } finally {
    for (const person of people) await person.endAnyCall();
    if (mode === 'relay-only') for (const person of people) await person.setRelayOnly(false);
  }
}
