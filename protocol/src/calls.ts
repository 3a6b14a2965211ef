import type { UserSummary } from './users.js';

/** Why a call ended; carried by `call:ended` and stored in call history. */
export const CallEndReason = {
  Declined: 'declined',
  Busy: 'busy',
  Hangup: 'hangup',
  Cancelled: 'cancelled',
  Timeout: 'timeout',
  Disconnected: 'disconnected',
  AnsweredElsewhere: 'answered_elsewhere',
} as const;
export type CallEndReason = (typeof CallEndReason)[keyof typeof CallEndReason];
export const CALL_END_REASONS: readonly CallEndReason[] = Object.values(CallEndReason);

export type CallRole = 'caller' | 'callee';

/** Server-side phase of a call session. */
export type CallPhase = 'ringing' | 'active';

/** `GET /api/calls/recent`: one call from the point of view of the asking user. */
export interface CallRecord {
  id: string;
  peer: UserSummary;
  direction: 'outgoing' | 'incoming';
  startedAt: string;
  answeredAt: string | null;
  endedAt: string;
  reason: CallEndReason;
  /** An incoming call that was never answered (timeout, or cancelled by the caller). */
  missed: boolean;
  /** Seconds between answer and end; 0 when never answered. */
  durationSeconds: number;
}

export interface CallHistory {
  calls: CallRecord[];
}
