/**
 * What the call set-up bench records per call and per variant (written as JSON by the
 * browser run, read by benchmark.ts and notes.ts), and how the pages' timings become one.
 */
import type { SetupTiming } from './in-page.ts';

export interface MeasuredCall {
  /** Callee: accept → its peer connection exists / the offer is applied, ms (5 ms polling). */
  pcMs: number | null;
  offerMs: number | null;
  /** Callee: accept → ICE connected / first decoded remote frame, ms. */
  iceMs: number | null;
  frameMs: number | null;
  callerIceMs: number | null;
  callerFrameMs: number | null;
  /** The caller's first encoded video frame; its first video packet at the callee (and back). */
  callerEncodedMs?: number | null;
  packetMs?: number | null;
  encodedMs?: number | null;
  callerPacketMs?: number | null;
  /** Callee's answer set; the caller applied it; each side's connectionState connected. */
  answerMs: number | null;
  callerAnswerMs: number | null;
  connectedMs: number | null;
  callerConnectedMs: number | null;
  /**
   * Stack only, from the pages' websockets: the callee's `call:accept` left, the caller's
   * `call:accepted` and answer arrived, the caller called `setRemoteDescription` with it.
   */
  acceptSentMs?: number | null;
  callerAcceptedMs?: number | null;
  callerAnswerInMs?: number | null;
  callerRemoteCalledMs?: number | null;
  /** Long main-thread tasks during the set-up, [ms after accept, duration ms], per side. */
  calleeLongTasks?: [number, number][];
  /** The accept, ms since the epoch (to line the call up with the browsers' own logs). */
  acceptedAt?: number;
  callerLongTasks?: [number, number][];
  /** Width of the callee's first decoded frame: the caller's start resolution. */
  firstFrameWidth: number | null;
  pair: string;
}

export interface Variant {
  name: string;
  mode: 'direct' | 'relay';
  kind: 'stack' | 'baseline';
  description: string;
  calls: MeasuredCall[];
}

/** What one held ring (pre-negotiation) costs, measured over {@link RING_HOLD_MS}. */
export interface RingingCost {
  mode: 'direct' | 'relay';
  /** coturn relay sockets (allocations) held during the ring, over the count before it. */
  allocationsHeld: number;
  /** Live camera tracks at the callee during the ring (the preview). */
  calleeCameraTracks: number;
  /** Busy CPU of each browser container during the ring and while idle, in % of one core. */
  callerCpuRinging: number;
  callerCpuIdle: number;
  calleeCpuRinging: number;
  calleeCpuIdle: number;
  /** coturn relay sockets left over this ring's count before it, after Decline. */
  allocationsLeftAfterDecline: number;
}

export function measured(
  fallbackT0: number,
  callee: SetupTiming,
  caller: SetupTiming,
): MeasuredCall {
  // The accept as the callee's page saw it; the harness's own clock only as a fallback.
  const t0 = callee.acceptedAt ?? fallbackT0;
  const since = (t: number | null) => (t === null ? null : t - t0);
  return {
    pcMs: since(callee.pcCreatedAt),
    offerMs: since(callee.remoteDescriptionAt),
    iceMs: since(callee.iceConnectedAt),
    frameMs: since(callee.firstFrameAt),
    callerIceMs: since(caller.iceConnectedAt),
    callerFrameMs: since(caller.firstFrameAt),
    callerEncodedMs: since(caller.firstEncodedAt),
    packetMs: since(callee.firstPacketAt),
    encodedMs: since(callee.firstEncodedAt),
    callerPacketMs: since(caller.firstPacketAt),
    answerMs: since(callee.localAnswerAt),
    callerAnswerMs: since(caller.remoteDescriptionAt),
    connectedMs: since(callee.connectedAt),
    callerConnectedMs: since(caller.connectedAt),
    acceptSentMs: since(callee.acceptSentAt),
    callerAcceptedMs: since(caller.acceptedReceivedAt),
    callerAnswerInMs: since(caller.answerReceivedAt),
    callerRemoteCalledMs: since(caller.remoteCalledAt),
    acceptedAt: t0,
    calleeLongTasks: callee.longTasks.map(([at, ms]) => [at - t0, ms]),
    callerLongTasks: caller.longTasks.map(([at, ms]) => [at - t0, ms]),
    firstFrameWidth: callee.firstFrameWidth,
    pair: `${callee.localType ?? '?'}/${callee.remoteType ?? '?'}`,
  };
}
