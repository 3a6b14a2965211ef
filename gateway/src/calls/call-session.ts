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

/** The caller of a call operation: one user on one socket. */
export interface CallMember {
  userId: string;
  socketId: string;
  summary: UserSummary;
}

/** The role `userId` plays in `session`, or undefined for an outsider. */
export function roleOf(session: CallSession, userId: string): CallRole | undefined {
  if (session.caller.id === userId) return 'caller';
  if (session.callee.id === userId) return 'callee';
  return undefined;
}

/** The socket carrying `role`'s side of the call. */
export function carrierOf(session: CallSession, role: CallRole): string | null {
  return role === 'caller' ? session.callerSocketId : session.calleeSocketId;
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
