import type { CallPhase, CallResume, CallRole, UserSummary } from '@callgate/protocol';

/**
 * One call between two people. A member's `…SocketId` is the one tab that carries the
 * call; `null` means that member is detached (callee still ringing on every tab, or
 * inside the reconnect grace period).
 */
export interface CallSession {
  id: string;
  caller: UserSummary;
  callee: UserSummary;
  phase: CallPhase;
  /** `false` when the caller started a voice call (told to the callee's ring). */
  video: boolean;
  startedAt: string;
  answeredAt: string | null;
  callerSocketId: string | null;
  calleeSocketId: string | null;
}

/**
 * Where live call sessions are kept. Asynchronous so a shared (Redis) implementation
 * can serve several gateway instances; a user is in at most one session.
 */
export interface CallSessionStore {
  get(callId: string): Promise<CallSession | undefined>;
  /** The session `userId` is a member of, ringing or active. */
  findByUser(userId: string): Promise<CallSession | undefined>;
  /** Creates or replaces a session and indexes both members. */
  save(session: CallSession): Promise<void>;
  delete(callId: string): Promise<void>;
  /** Number of sessions per phase. */
  countByPhase(): Promise<Record<CallPhase, number>>;
}

export const CALL_SESSION_STORE = Symbol('CallSessionStore');

/** The role `userId` plays in `session`, or undefined for an outsider. */
export function roleOf(session: CallSession, userId: string): CallRole | undefined {
  if (session.caller.id === userId) return 'caller';
  if (session.callee.id === userId) return 'callee';
  return undefined;
}

/** What a (re)connecting member needs to pick the call up again. */
export function resumeOf(session: CallSession, role: CallRole): CallResume {
  return {
    callId: session.id,
    peer: role === 'caller' ? session.callee : session.caller,
    role,
    phase: session.phase,
    video: session.video,
  };
}
