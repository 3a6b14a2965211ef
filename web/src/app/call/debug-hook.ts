import type { StatsEntry } from './stats';

/**
 * A read-only diagnostics hook on `window.callgateDebug`, for support and for the e2e
 * suite: the live call's `getStats()` as plain objects. It exposes no tokens or
 * credentials (RTCStatsReport carries none).
 */
export interface CallgateDebugHook {
  /** The current peer connection's stats report as plain objects; `[]` outside a call. */
  getStats(): Promise<StatsEntry[]>;
  /** `RTCPeerConnection.connectionState` of the current call, or `null`. */
  connectionState(): RTCPeerConnectionState | null;
  /** The ICE transport policy the current call uses (`relay` when forced), or `null`. */
  iceTransportPolicy(): RTCIceTransportPolicy | null;
  /** The call state machine's current state name. */
  callState(): string;
}

declare global {
  interface Window {
    callgateDebug?: CallgateDebugHook;
  }
}

export function installDebugHook(hook: CallgateDebugHook): void {
  window.callgateDebug = hook;
}
