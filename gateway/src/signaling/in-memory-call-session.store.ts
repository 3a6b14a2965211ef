import { Injectable } from '@nestjs/common';
import type { CallPhase } from '@callgate/protocol';
import type { CallSession, CallSessionStore } from './call-session.store';

/** Single-instance {@link CallSessionStore}; sessions are copied in and out. */
@Injectable()
export class InMemoryCallSessionStore implements CallSessionStore {
  private readonly sessions = new Map<string, CallSession>();
  private readonly byUser = new Map<string, string>();

  get(callId: string): Promise<CallSession | undefined> {
    const session = this.sessions.get(callId);
    return Promise.resolve(session === undefined ? undefined : structuredClone(session));
  }

  findByUser(userId: string): Promise<CallSession | undefined> {
    const callId = this.byUser.get(userId);
    return callId === undefined ? Promise.resolve(undefined) : this.get(callId);
  }

  save(session: CallSession): Promise<void> {
    this.sessions.set(session.id, structuredClone(session));
    this.byUser.set(session.caller.id, session.id);
    this.byUser.set(session.callee.id, session.id);
    return Promise.resolve();
  }

  delete(callId: string): Promise<void> {
    const session = this.sessions.get(callId);
    if (session !== undefined) {
      this.sessions.delete(callId);
      for (const userId of [session.caller.id, session.callee.id]) {
        if (this.byUser.get(userId) === callId) this.byUser.delete(userId);
      }
    }
    return Promise.resolve();
  }

  countByPhase(): Promise<Record<CallPhase, number>> {
    const counts: Record<CallPhase, number> = { ringing: 0, active: 0 };
    for (const session of this.sessions.values()) counts[session.phase] += 1;
    return Promise.resolve(counts);
  }
}
