import { Injectable } from '@nestjs/common';
import { type CallPhase, CallEndReason } from '@callgate/protocol';
import { type CallSession, carrierOf, roleOf } from './call-session';
import {
  type AcceptOutcome,
  type CallSessionStore,
  type CreateOutcome,
  type ExpiredCall,
  graceDeadline,
  ringDeadline,
} from './call-session.store';

/**
 * Single-process {@link CallSessionStore} for unit tests: the same transitions as the
 * Redis store, each synchronous (so atomic), sessions copied in and out.
 */
@Injectable()
export class InMemoryCallSessionStore implements CallSessionStore {
  private readonly sessions = new Map<string, CallSession>();
  private readonly byUser = new Map<string, string>();
  /** Deadline member → due time (epoch ms). */
  private readonly deadlines = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  get(callId: string): Promise<CallSession | undefined> {
    const session = this.sessions.get(callId);
    return Promise.resolve(session === undefined ? undefined : structuredClone(session));
  }

  findByUser(userId: string): Promise<CallSession | undefined> {
    const callId = this.byUser.get(userId);
    return callId === undefined ? Promise.resolve(undefined) : this.get(callId);
  }

  create(session: CallSession, ringTimeoutMs: number): Promise<CreateOutcome> {
    const own = this.live(this.byUser.get(session.caller.id));
    if (own !== undefined)
      return Promise.resolve({ kind: 'member', session: structuredClone(own) });
    if (this.live(this.byUser.get(session.callee.id)) !== undefined)
      return Promise.resolve({ kind: 'busy' });
    this.sessions.set(session.id, structuredClone(session));
    this.byUser.set(session.caller.id, session.id);
    this.byUser.set(session.callee.id, session.id);
    this.deadlines.set(ringDeadline(session.id), this.now() + ringTimeoutMs);
    return Promise.resolve({ kind: 'created' });
  }

  accept(
    callId: string,
    userId: string,
    socketId: string,
    answeredAt: string,
  ): Promise<AcceptOutcome> {
    const session = this.sessions.get(callId);
    if (session === undefined) return Promise.resolve({ kind: 'gone' });
    if (session.callee.id !== userId) return Promise.resolve({ kind: 'not_callee' });
    if (session.phase !== 'ringing') return Promise.resolve({ kind: 'already_answered' });
    session.phase = 'active';
    session.answeredAt = answeredAt;
    session.calleeSocketId = socketId;
    this.deadlines.delete(ringDeadline(callId));
    this.deadlines.delete(graceDeadline(callId, userId));
    return Promise.resolve({ kind: 'accepted', session: structuredClone(session) });
  }

  end(callId: string, onlyInPhase?: CallPhase): Promise<CallSession | undefined> {
    const session = this.sessions.get(callId);
    if (session === undefined || (onlyInPhase !== undefined && session.phase !== onlyInPhase))
      return Promise.resolve(undefined);
    this.remove(session);
    return Promise.resolve(session);
  }

  attach(
    callId: string,
    userId: string,
    socketId: string,
    expectedCarrier: string | null,
  ): Promise<CallSession | undefined> {
    const session = this.sessions.get(callId);
    const role = session === undefined ? undefined : roleOf(session, userId);
    if (session === undefined || role === undefined) return Promise.resolve(undefined);
    if (carrierOf(session, role) !== expectedCarrier) return Promise.resolve(undefined);
    if (role === 'caller') session.callerSocketId = socketId;
    else session.calleeSocketId = socketId;
    this.deadlines.delete(graceDeadline(callId, userId));
    return Promise.resolve(structuredClone(session));
  }

  detach(
    callId: string,
    userId: string,
    socketId: string,
    lastSocket: boolean,
    graceMs: number,
  ): Promise<boolean> {
    const session = this.sessions.get(callId);
    const role = session === undefined ? undefined : roleOf(session, userId);
    if (session === undefined || role === undefined) return Promise.resolve(false);
    if (role === 'caller' || session.phase === 'active') {
      if (carrierOf(session, role) !== socketId) return Promise.resolve(false);
      if (role === 'caller') session.callerSocketId = null;
      else session.calleeSocketId = null;
    } else if (!lastSocket) {
      return Promise.resolve(false);
    }
    this.deadlines.set(graceDeadline(callId, userId), this.now() + graceMs);
    return Promise.resolve(true);
  }

  cancelGrace(callId: string, userId: string): Promise<void> {
    this.deadlines.delete(graceDeadline(callId, userId));
    return Promise.resolve();
  }

  claimExpired(limit: number): Promise<ExpiredCall[]> {
    const now = this.now();
    const due = [...this.deadlines]
      .filter(([, at]) => at <= now)
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit);
    const expired: ExpiredCall[] = [];
    for (const [member] of due) {
      this.deadlines.delete(member);
      const [kind, callId] = member.split(':') as [string, string];
      const session = this.sessions.get(callId);
      if (session === undefined) continue;
      if (kind === 'ring' && session.phase === 'ringing') {
        this.remove(session);
        expired.push({ session, reason: CallEndReason.Timeout });
      } else if (kind === 'grace') {
        this.remove(session);
        expired.push({ session, reason: CallEndReason.Disconnected });
      }
    }
    return Promise.resolve(expired);
  }

  countByPhase(): Promise<Record<CallPhase, number>> {
    const counts: Record<CallPhase, number> = { ringing: 0, active: 0 };
    for (const session of this.sessions.values()) counts[session.phase] += 1;
    return Promise.resolve(counts);
  }

  private live(callId: string | undefined): CallSession | undefined {
    return callId === undefined ? undefined : this.sessions.get(callId);
  }

  private remove(session: CallSession): void {
    this.sessions.delete(session.id);
    for (const userId of [session.caller.id, session.callee.id]) {
      if (this.byUser.get(userId) === session.id) this.byUser.delete(userId);
      this.deadlines.delete(graceDeadline(session.id, userId));
    }
    this.deadlines.delete(ringDeadline(session.id));
  }
}
