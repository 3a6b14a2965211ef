import { Injectable } from '@nestjs/common';
import type { CallPhase } from '@callgate/protocol';
import type { CallSession, CallSessionStore } from './call-session.store';

/**
 * Single-instance {@link CallSessionStore}. Sessions are copied in and out shallowly: the
 * members' summaries are never changed in place, so a spread is a full copy where it
 * matters and avoids `structuredClone` on every read (5.5 % of the gateway's busy time on
 * the signaling hot path, docs/BENCHMARKS.md).
 */
@Injectable()
export class InMemoryCallSessionStore implements CallSessionStore {
  private readonly sessions = new Map<string, CallSession>();
  private readonly byUser = new Map<string, string>();
  private readonly counts: Record<CallPhase, number> = { ringing: 0, active: 0 };

  get(callId: string): Promise<CallSession | undefined> {
    const session = this.sessions.get(callId);
    return Promise.resolve(session === undefined ? undefined : { ...session });
  }

  findByUser(userId: string): Promise<CallSession | undefined> {
    const callId = this.byUser.get(userId);
    return callId === undefined ? Promise.resolve(undefined) : this.get(callId);
  }

  save(session: CallSession): Promise<void> {
    const previous = this.sessions.get(session.id);
    if (previous !== undefined) this.counts[previous.phase] -= 1;
    this.counts[session.phase] += 1;
    this.sessions.set(session.id, { ...session });
    this.byUser.set(session.caller.id, session.id);
    this.byUser.set(session.callee.id, session.id);
    return Promise.resolve();
  }

  delete(callId: string): Promise<void> {
    const session = this.sessions.get(callId);
    if (session !== undefined) {
      this.sessions.delete(callId);
      this.counts[session.phase] -= 1;
      for (const userId of [session.caller.id, session.callee.id]) {
        if (this.byUser.get(userId) === callId) this.byUser.delete(userId);
      }
    }
    return Promise.resolve();
  }

  countByPhase(): Promise<Record<CallPhase, number>> {
    return Promise.resolve({ ...this.counts });
  }
}
