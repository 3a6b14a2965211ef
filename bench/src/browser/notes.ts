/**
 * The generated notes of benchmark 1 (call set-up): what the stack adds per stage, what
 * limits it — from the run's own figures — what was tried, and what a held ring costs.
 */
import { summarize, type Summary } from '../lib/stats.ts';
import type { MeasuredCall, RingingCost, Variant } from './call-timing.ts';

export type Stage = Exclude<
  keyof MeasuredCall,
  'pair' | 'firstFrameWidth' | 'calleeLongTasks' | 'callerLongTasks' | 'acceptedAt'
>;

export function stat(variant: Variant | undefined, key: Stage): Summary {
  const values = (variant?.calls ?? [])
    .map((c) => c[key])
    .filter((v): v is number => v !== null && v !== undefined);
  return summarize(values);
}

/** p50 over the calls of `to − from` (per call, so one slow stage does not shift another). */
export function span(variant: Variant | undefined, from: Stage, to: Stage): number {
  const values = (variant?.calls ?? []).flatMap((c) => {
    const [a, b] = [c[from], c[to]];
    return typeof a === 'number' && typeof b === 'number' ? [b - a] : [];
  });
  return summarize(values).p50;
}

const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');

/**
 * p50 over the calls of the callee page's longest main-thread task (over 50 ms, else 0)
 * that ran between the accept and its first frame: what the page did at the click.
 */
export function longestTaskBeforeFrame(variant: Variant): number {
  return summarize(
    variant.calls
      .filter((c) => c.frameMs !== null)
      .map((c) =>
        Math.max(
          0,
          ...(c.calleeLongTasks ?? [])
            .filter(([at, ms]) => at + ms > 0 && at < c.frameMs!)
            .map(([, ms]) => ms),
        ),
      ),
  ).p50;
}

/** Where the stack's extra time goes, stage by stage (p50 of each stage's end). */
export function stageNote(
  mode: 'direct' | 'relay',
  stack: Variant | undefined,
  base: Variant | undefined,
): string {
  if (!stack || !base) return `${mode}: no stage breakdown (a variant is missing).`;
  const stages = [
    ['accept → callee connection created', 'pcMs'],
    ['→ offer applied', 'offerMs'],
    ['→ ICE connected', 'iceMs'],
    ['→ first frame', 'frameMs'],
  ] as const;
  let previousStack = 0;
  let previousBase = 0;
  const parts = stages.map(([label, key]) => {
    const s = stat(stack, key).p50;
    const b = stat(base, key).p50;
    const delta = s - previousStack - (b - previousBase);
    previousStack = s;
    previousBase = b;
    return `${label} ${delta >= 0 ? '+' : ''}${Math.round(delta)} ms`;
  });
  return `What the stack adds over the baseline (${mode === 'relay' ? 'relay-only' : 'direct'}, p50 per stage): ${parts.join(', ')}. The stack's connection, offer and answer exist before the accept (pre-negotiation, negative stages); the baseline's callee creates them after it, and the *-fetch* and *-pool* rows show what a credential fetch and a candidate pool alone change.`;
}

/**
 * What the media start is made of, from libwebrtc's own log of the stack's calls (not this
 * run: \`BROWSER_EXTRA_FLAGS="--enable-logging=stderr --vmodule=video_stream_encoder=1,…"\`).
 */
const MEDIA_START =
  "libwebrtc's log of it (session 6, 5 stack calls at load 9): the caller's encoder is unsuspended 8–32 ms after its DTLS (the congestion controller's first estimate), its first frame is posted 25–40 ms later (the next frame of the 20-fps fake camera), the key frame took ~19 ms to encode at QP 95–106 at 640×360 (before this session's fast start at 320×180), and ~80 ms more passed until the callee's page saw it decoded (pacing, transport, decode and that page's own poll); DTLS itself took 3–25 ms once the caller's ICE was writable, but that came 25–136 ms after the caller had the callee's ICE parameters (its WebRTC threads were applying the answer — creating the media streams, configuring the encoder — on the starved CPU, and answered the callee's checks late meanwhile).";

/**
 * What limits the headline figure, in this run's numbers: when DTLS is up at the caller
 * (the side whose camera the callee's first frame shows), and how the rest up to that
 * frame splits into the caller's encoder start, the first packet reaching the callee and
 * the whole key frame decoded there; then what 0.6× would need.
 */
export function limitNote(
  mode: 'direct' | 'relay',
  stack: Variant | undefined,
  base: Variant | undefined,
): string {
  const label = mode === 'relay' ? 'relay-only' : 'direct';
  if (!stack || !base) return `What limits it (${label}): not known (a variant is missing).`;
  const frame = [stat(stack, 'frameMs').p50, stat(base, 'frameMs').p50] as const;
  const dtls = [stat(stack, 'callerConnectedMs').p50, stat(base, 'callerConnectedMs').p50];
  const tail = [
    span(stack, 'callerConnectedMs', 'frameMs'),
    span(base, 'callerConnectedMs', 'frameMs'),
  ];
  // Each step from the caller's DTLS, per call: no step depends on the other page's poll.
  const parts = (v: Variant) =>
    `its first encoded frame +${ms(span(v, 'callerConnectedMs', 'callerEncodedMs'))}, the first video packet at the callee +${ms(span(v, 'callerConnectedMs', 'packetMs'))}, the decoded frame +${ms(span(v, 'callerConnectedMs', 'frameMs'))}`;
  const target = 0.6 * frame[1];
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
  return (
    `**What limits it (${label}, this run's p50s):** the caller's DTLS is up (its page's \`connectionState\`) ${ms(dtls[0]!)} after the click for the stack vs ${ms(dtls[1]!)} for the baseline (${ratio(dtls[0]!, dtls[1]!)}; from its ICE connected ${ms(span(stack, 'callerIceMs', 'callerConnectedMs'))} vs ${ms(span(base, 'callerIceMs', 'callerConnectedMs'))}, as its page sees it), ` +
    `but DTLS → the callee's first decoded frame takes ${ms(tail[0]!)} vs ${ms(tail[1]!)} (${ratio(tail[0]!, tail[1]!)}). ` +
    `That part is the browser's media start, the same code for both — from the caller's DTLS, stack: ${parts(stack)}; baseline: ${parts(base)} ` +
    `(each page's own 5 ms \`getStats()\` polls, so a busy main thread adds to what it sees). ${MEDIA_START} ` +
    `0.6× the baseline's ${ms(frame[1])} is ${ms(target)}: with the stack's DTLS at ${ms(dtls[0]!)} its media start would have to fit in ${ms(target - dtls[0]!)} ` +
    `(the baseline's takes ${ms(tail[1]!)}), or, with the media start as it is, DTLS would have to be up ${ms(target - tail[0]!)} after the click.`
  );
}

/** What was tried for the call set-up figures, this session and earlier (measured runs). */
export const TRIED: readonly string[] = [
  'Kept: pre-negotiation while it rings (session 4: the connections, offer, answer and gathering before Accept; ICE connected 0.41–0.63× the baseline since).',
  "Kept, changed in session 6: fast start — the camera's first frames are encoded small and at full size 2 s after connected (session 4, at 360 px: at the 300 kbit/s start estimate libwebrtc dropped 720p's first frames). Session 6 made it 180 px: libwebrtc's log showed the 640×360 key frame at QP 95–106 (above its quality scaler's threshold of 95) taking ~19 ms to encode; in same-run 20-call figures DTLS → the callee's decoded frame went from 134 vs 129 ms for the baseline (direct) and 123 vs 97 (relay-only) at 360 px (20:21, load 2.2 rising to ~10 from other work) to 86 vs 112 and 80 vs 101 at 180 px (20:33, load 2.4–4.5), and 104 vs 121 and 106 vs 88 in the next run (20:52, load 3.6–5.1): direct stays ahead of the baseline, relay-only moves between runs more than the change.",
  'Kept: the call view renders only header, videos and controls at the click, the rest after the first picture (session 5); `call:accept` leaves before that render; ring tone closed a second later.',
  'Kept: the probe reads only the video receiver’s stats (session 5: a whole-connection `getStats()` every 5 ms cost the page up to ~30 ms per poll).',
  'Not kept: a higher start bitrate, and delaying navigation until connected (sessions 4–5: no gain beyond the spread of this shared 2-core machine).',
  'Not kept: a candidate pool on the baseline-style connection (the *-pool* rows: no gain; the stack gathers while it rings instead).',
  "Looked at in session 6, not changed: the callee's page at the click (the table's longest-task column: a p50 of 0–50 ms in this session's 20-call runs at load 2–5; only at load ~9 did the click's render reach 77–173 ms in CPU profiles, so it is not what limits the figure here); the camera's frame rate (the fake camera delivers 20 fps whatever is asked, so 30 fps cannot be measured here; real cameras default to 30); the gateway hop (`call:accepted` reaches the caller 12–17 ms after `call:accept` leaves the callee, p50).",
];

export function ringingTable(costs: readonly RingingCost[]): string {
  const pct = (v: number) => `${v.toFixed(0)} %`;
  return [
    `**What a held ring costs** — ${costs.length} rings held unanswered ~6 s each, then declined (coturn relay sockets counted in the turn container's /proc/net/udp; CPU from each browser container's cgroup \`cpu.stat\` over 5 s, ringing vs idle just before):`,
    '',
    '| Mode | TURN allocations held while ringing | Callee camera tracks live | Caller CPU ringing / idle | Callee CPU ringing / idle | Allocations left after Decline |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...costs.map(
      (c) =>
        `| ${c.mode} | ${c.allocationsHeld} | ${c.calleeCameraTracks} | ${pct(c.callerCpuRinging)} / ${pct(c.callerCpuIdle)} | ${pct(c.calleeCpuRinging)} / ${pct(c.calleeCpuIdle)} | ${c.allocationsLeftAfterDecline} |`,
    ),
  ].join('\n');
}

export function ringingNote(costs: readonly RingingCost[]): string {
  if (costs.length === 0) return 'Ringing costs: not measured.';
  const avg = (pick: (c: RingingCost) => number) =>
    (costs.reduce((t, c) => t + pick(c), 0) / costs.length).toFixed(1);
  return `What ringing costs (mean of ${costs.length} held rings): ${avg((c) => c.allocationsHeld)} TURN allocations held (both sides' relay candidates), the callee's camera on for the whole ring (${avg((c) => c.calleeCameraTracks)} live video track: the preview), caller CPU ${avg((c) => c.callerCpuRinging)} % vs ${avg((c) => c.callerCpuIdle)} % idle, callee CPU ${avg((c) => c.calleeCpuRinging)} % vs ${avg((c) => c.calleeCpuIdle)} % idle (the fake camera is encoded only once media flows; the ringing CPU is the local preview); ${avg((c) => c.allocationsLeftAfterDecline)} allocations left after Decline.`;
}
