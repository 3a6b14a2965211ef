import type { CallEndReason, CallPhase } from '@callgate/protocol';
import type { CallSession } from './call-session';

/** Outcome of {@link CallSessionStore.create}. */
export type CreateOutcome =
  | { kind: 'created' }
  /** The callee is in another call; nothing was stored. */
  | { kind: 'busy' }
  /** The caller is already in `session` (possibly an invite from the callee: crossing). */
  | { kind: 'member'; session: CallSession };

/** Outcome of {@link CallSessionStore.accept}. */
export type AcceptOutcome =
  | { kind: 'accepted'; session: CallSession }
  | { kind: 'gone' }
  | { kind: 'not_callee' }
  | { kind: 'already_answered' };

/** A deadline that fired and the call it ended (already removed from the store). */
export interface ExpiredCall {
  session: CallSession;
  reason: typeof CallEndReason.Timeout | typeof CallEndReason.Disconnected;
}

/**
 * Where live call sessions are kept, shared by every gateway replica. Each mutating
 * method is ONE atomic transition (one Lua script in Redis): no replica can act between
 * its check and its write, so two accepts of one call, or two ends, cannot both win.
 * Deadlines (ring timeout, reconnect grace) live beside the sessions on one clock (the
 * store's), and {@link claimExpired} hands each one to exactly one caller.
 * A user is in at most one session.
 */
export interface CallSessionStore {
  get(callId: string): Promise<CallSession | undefined>;
  /** The session `userId` is a member of, ringing or active. */
  findByUser(userId: string): Promise<CallSession | undefined>;
  /** Stores a ringing session and arms its ring deadline, unless a member is in a call. */
  create(session: CallSession, ringTimeoutMs: number): Promise<CreateOutcome>;
  /**
   * ringing → active, carried by `socketId`; only for the callee, only once. Cancels the
   * ring deadline and the callee's grace deadline.
   */
  accept(
    callId: string,
    userId: string,
    socketId: string,
    answeredAt: string,
  ): Promise<AcceptOutcome>;
  /**
   * Removes the session with its deadlines, when it exists (and is in `onlyInPhase` if
   * given). Returns what was removed: exactly one concurrent caller gets it.
   */
  end(callId: string, onlyInPhase?: CallPhase): Promise<CallSession | undefined>;
  /**
   * `socketId` carries `userId`'s side from now on, if that side is still carried by
   * `expectedCarrier` (`null`: detached). Cancels that member's grace deadline.
   */
  attach(
    callId: string,
    userId: string,
    socketId: string,
    expectedCarrier: string | null,
  ): Promise<CallSession | undefined>;
  /**
   * `socketId` of `userId` is gone. When it carried that side, the side is detached and
   * a grace deadline armed; for a ringing callee (no carrier yet) only when
   * `lastSocket`. True when a grace deadline was armed.
   */
  detach(
    callId: string,
    userId: string,
    socketId: string,
    lastSocket: boolean,
    graceMs: number,
  ): Promise<boolean>;
  /** Cancels `userId`'s grace deadline (a ringing callee's tab came back). */
  cancelGrace(callId: string, userId: string): Promise<void>;
  /** Claims up to `limit` due deadlines and ends their calls, atomically. */
  claimExpired(limit: number): Promise<ExpiredCall[]>;
  /** Number of sessions per phase. */
  countByPhase(): Promise<Record<CallPhase, number>>;
}

export const CALL_SESSION_STORE = Symbol('CallSessionStore');

/** Member of the deadline set: `ring:<callId>` or `grace:<callId>:<userId>`. */
export function ringDeadline(callId: string): string {
  return `ring:${callId}`;
}
export function graceDeadline(callId: string, userId: string): string {
  return `grace:${callId}:${userId}`;
}
