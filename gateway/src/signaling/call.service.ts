import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  type CallEndReason,
  CallEndReason as Reason,
  type SignalPayload,
  type SignalRelayed,
} from '@callgate/protocol';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CallHistoryService } from '../calls/call-history.service';
import { MetricsService } from '../metrics/metrics.service';
import {
  CALL_SESSION_STORE,
  type CallSession,
  type CallSessionStore,
  resumeOf,
  roleOf,
} from './call-session.store';
import { KeyedTimers } from './keyed-timers';
import { PresenceService } from './presence.service';
import { SignalingEmitter } from './signaling-emitter';
import { CallgateError } from '../common/callgate-error';
import type { SocketIdentity } from './socket-session';

const CALL_GONE = 'This call has ended or never existed.';

/**
 * The call state machine: ringing → active → ended, with every end reason of the
 * contract. All operations run one at a time (a promise queue), so crossing invites
 * and racing accepts resolve deterministically in arrival order.
 */
@Injectable()
export class CallService implements OnModuleDestroy {
  private readonly logger = new Logger(CallService.name);
  /** Ring timeouts by call id. */
  private readonly ringing = new KeyedTimers();
  /** Grace periods by user id: that member's call tab is gone and may come back. */
  private readonly grace = new KeyedTimers();
  private queue: Promise<unknown> = Promise.resolve();
  /** Set at shutdown: sockets closing then must not arm new timers. */
  private closed = false;

  constructor(
    @Inject(CALL_SESSION_STORE) private readonly store: CallSessionStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly presence: PresenceService,
    private readonly emitter: SignalingEmitter,
    private readonly history: CallHistoryService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleDestroy(): void {
    this.closed = true;
    this.ringing.clearAll();
    this.grace.clearAll();
  }

  invite(from: SocketIdentity, to: string, video = true): Promise<{ callId: string }> {
    return this.exclusive(async () => {
      if (to === from.userId) throw CallgateError.invalidPayload('You cannot call yourself.');
      const own = await this.store.findByUser(from.userId);
      if (own !== undefined) {
        // Invites crossing between the same two people: the first one processed is THE call,
        // and the second inviter answers it.
        if (own.phase === 'ringing' && own.caller.id === to && own.callee.id === from.userId) {
          await this.acceptSession(own, from);
          return { callId: own.id };
        }
        throw CallgateError.conflict('You are already in a call; hang up first.');
      }
      const callee = this.presence.summary(to);
      if (callee === undefined)
        throw CallgateError.notFound('That person is not online right now.');
      const session: CallSession = {
        id: randomUUID(),
        caller: from.summary,
        callee,
        phase: 'ringing',
        video,
        startedAt: new Date().toISOString(),
        answeredAt: null,
        callerSocketId: from.socketId,
        calleeSocketId: null,
      };
      if ((await this.store.findByUser(to)) !== undefined) {
        // Not stored: only the caller's tab learns about it, right after the ack with the id.
        setImmediate(() => this.finish(session, Reason.Busy));
        return { callId: session.id };
      }
      await this.store.save(session);
      this.ringing.set(session.id, this.config.signaling.ringTimeoutMs, () =>
        this.runTimer(() => this.onRingTimeout(session.id)),
      );
      this.emitter.toUser(callee.id, 'call:incoming', {
        callId: session.id,
        from: from.summary,
        video,
      });
      await this.refreshGauges();
      this.logger.log(`Call ${session.id}: ${from.userId} is ringing ${callee.id}`);
      return { callId: session.id };
    });
  }

  /** `hasOffer`: the accepting tab holds the offer the caller sent while it rang. */
  accept(who: SocketIdentity, callId: string, hasOffer = true): Promise<void> {
    return this.exclusive(async () => {
      const session = await this.requireSession(callId);
      if (session.callee.id !== who.userId)
        throw CallgateError.forbidden('Only the person being called can accept.');
      if (session.phase === 'active')
        throw CallgateError.conflict('This call was already answered.');
      await this.acceptSession(session, who, hasOffer);
    });
  }

  decline(who: SocketIdentity, callId: string): Promise<void> {
    return this.exclusive(async () => {
      const session = await this.requireSession(callId);
      if (session.callee.id !== who.userId)
        throw CallgateError.forbidden('Only the person being called can decline.');
      if (session.phase === 'active')
        throw CallgateError.conflict('This call is already answered; hang up instead.');
      await this.end(session, Reason.Declined);
    });
  }

  hangup(who: SocketIdentity, callId: string): Promise<void> {
    return this.exclusive(async () => {
      const session = await this.requireSession(callId);
      const role = roleOf(session, who.userId);
      if (role === undefined) throw CallgateError.forbidden('You are not a member of this call.');
      if (session.phase === 'active') await this.end(session, Reason.Hangup);
      else await this.end(session, role === 'caller' ? Reason.Cancelled : Reason.Declined);
    });
  }

  /**
   * Relays SDP/ICE to the other member; refuses anyone but the tab carrying the call.
   * While it rings, the caller's offer and candidates go to every ringing tab of the
   * callee (pre-negotiation), but nothing of the callee's is relayed before the accept:
   * an answer or candidate would reveal where the callee is before they chose to answer.
   */
  signal(who: SocketIdentity, payload: SignalPayload): Promise<void> {
    return this.exclusive(async () => {
      const session = await this.store.get(payload.callId);
      const role = session === undefined ? undefined : roleOf(session, who.userId);
      if (session === undefined || role === undefined) {
        throw CallgateError.forbidden('You are not a member of this call.');
      }
      if (session.phase !== 'active' && role === 'callee')
        throw CallgateError.conflict('The call has not been answered yet.');
      const ownSocket = role === 'caller' ? session.callerSocketId : session.calleeSocketId;
      if (ownSocket !== who.socketId)
        throw CallgateError.forbidden('This call is connected in another tab.');
      const relayed: SignalRelayed = { callId: session.id, from: who.userId };
      if (payload.description !== undefined) relayed.description = payload.description;
      if (payload.candidate !== undefined) relayed.candidate = payload.candidate;
      if (session.phase === 'ringing') {
        this.emitter.toUser(session.callee.id, 'signal', relayed);
        return;
      }
      const peerSocket = role === 'caller' ? session.calleeSocketId : session.callerSocketId;
      if (peerSocket === null)
        throw CallgateError.conflict('The other person is reconnecting; wait for them.');
      this.emitter.toSocket(peerSocket, 'signal', relayed);
    });
  }

  /**
   * `who` picked its active call up again on this socket (after `call:resume`) with a
   * fresh peer connection: the other member must drop its old one and negotiate anew.
   */
  rejoin(who: SocketIdentity, callId: string): Promise<void> {
    return this.exclusive(async () => {
      const session = await this.requireSession(callId);
      const role = roleOf(session, who.userId);
      if (role === undefined) throw CallgateError.forbidden('You are not a member of this call.');
      if (session.phase !== 'active')
        throw CallgateError.conflict('The call has not been answered yet.');
      const ownSocket = role === 'caller' ? session.callerSocketId : session.calleeSocketId;
      if (ownSocket !== who.socketId)
        throw CallgateError.forbidden('This call is connected in another tab.');
      const peerSocket = role === 'caller' ? session.calleeSocketId : session.callerSocketId;
      if (peerSocket === null)
        throw CallgateError.conflict('The other person is reconnecting; wait for them.');
      this.emitter.toSocket(peerSocket, 'call:peer-rejoined', { callId: session.id });
      this.logger.log(`Call ${session.id}: ${who.userId} rejoined with a fresh connection`);
    });
  }

  /** A socket of `who` connected: resume a call whose tab was lost, or ring a new tab. */
  socketConnected(who: SocketIdentity): Promise<void> {
    return this.exclusive(async () => {
      const session = await this.store.findByUser(who.userId);
      if (session === undefined) return;
      const role = roleOf(session, who.userId)!;
      const inGrace = this.grace.clear(who.userId);
      if (session.phase === 'ringing' && role === 'callee') {
        this.emitter.toSocket(who.socketId, 'call:resume', resumeOf(session, role));
        return;
      }
      if (!inGrace) return; // The call is carried by another live tab.
      if (role === 'caller') session.callerSocketId = who.socketId;
      else session.calleeSocketId = who.socketId;
      await this.store.save(session);
      this.emitter.toSocket(who.socketId, 'call:resume', resumeOf(session, role));
      this.logger.log(`Call ${session.id}: ${who.userId} resumed on a new connection`);
    });
  }

  /**
   * A socket of `who` closed. When it carried the call (or was the last tab of a ringing
   * callee) the member gets the grace period to come back before the call ends.
   */
  socketDisconnected(who: SocketIdentity, socketsLeft: number): Promise<void> {
    return this.exclusive(async () => {
      const session = await this.store.findByUser(who.userId);
      if (session === undefined) return;
      const role = roleOf(session, who.userId)!;
      let lost: boolean;
      if (role === 'caller') {
        lost = session.callerSocketId === who.socketId;
        if (lost) session.callerSocketId = null;
      } else if (session.phase === 'active') {
        lost = session.calleeSocketId === who.socketId;
        if (lost) session.calleeSocketId = null;
      } else {
        lost = socketsLeft === 0;
      }
      if (!lost || this.closed) return;
      await this.store.save(session);
      this.grace.set(who.userId, this.config.signaling.reconnectGraceMs, () =>
        this.runTimer(() => this.onGraceExpired(session.id)),
      );
    });
  }

  private async acceptSession(
    session: CallSession,
    who: SocketIdentity,
    hasOffer = true,
  ): Promise<void> {
    this.ringing.clear(session.id);
    this.grace.clear(who.userId);
    session.phase = 'active';
    session.answeredAt = new Date().toISOString();
    session.calleeSocketId = who.socketId;
    await this.store.save(session);
    if (session.callerSocketId !== null) {
      this.emitter.toSocket(session.callerSocketId, 'call:accepted', {
        callId: session.id,
        role: 'caller',
        ...(hasOffer ? {} : { resendOffer: true }),
      });
    }
    this.emitter.toSocket(who.socketId, 'call:accepted', { callId: session.id, role: 'callee' });
    const otherTabs = this.presence
      .socketIds(session.callee.id)
      .filter((id) => id !== who.socketId);
    if (otherTabs.length > 0) {
      this.emitter.toUser(
        session.callee.id,
        'call:ended',
        { callId: session.id, reason: Reason.AnsweredElsewhere },
        who.socketId,
      );
      this.metrics.callOutcomes.inc({ reason: Reason.AnsweredElsewhere });
    }
    await this.refreshGauges();
    this.logger.log(`Call ${session.id}: answered`);
  }

  private async onRingTimeout(callId: string): Promise<void> {
    const session = await this.store.get(callId);
    if (session?.phase === 'ringing') await this.end(session, Reason.Timeout);
  }

  private async onGraceExpired(callId: string): Promise<void> {
    const session = await this.store.get(callId);
    if (session !== undefined) await this.end(session, Reason.Disconnected);
  }

  private async end(session: CallSession, reason: CallEndReason): Promise<void> {
    await this.store.delete(session.id);
    this.ringing.clear(session.id);
    this.grace.clear(session.caller.id);
    this.grace.clear(session.callee.id);
    this.finish(session, reason);
    await this.refreshGauges();
  }

  /** Tells both members, records the call and counts the outcome. */
  private finish(session: CallSession, reason: CallEndReason): void {
    const payload = { callId: session.id, reason };
    if (session.callerSocketId !== null)
      this.emitter.toSocket(session.callerSocketId, 'call:ended', payload);
    if (session.phase === 'ringing') {
      if (reason !== Reason.Busy) this.emitter.toUser(session.callee.id, 'call:ended', payload);
    } else if (session.calleeSocketId !== null) {
      this.emitter.toSocket(session.calleeSocketId, 'call:ended', payload);
    }
    this.metrics.callOutcomes.inc({ reason });
    this.history.record({
      id: session.id,
      callerId: session.caller.id,
      calleeId: session.callee.id,
      startedAt: session.startedAt,
      answeredAt: session.answeredAt,
      endedAt: new Date().toISOString(),
      reason,
    });
    this.logger.log(`Call ${session.id}: ended (${reason})`);
  }

  private async requireSession(callId: string): Promise<CallSession> {
    const session = await this.store.get(callId);
    if (session === undefined) throw CallgateError.notFound(CALL_GONE);
    return session;
  }

  private async refreshGauges(): Promise<void> {
    const counts = await this.store.countByPhase();
    this.metrics.activeCalls.set({ phase: 'ringing' }, counts.ringing);
    this.metrics.activeCalls.set({ phase: 'active' }, counts.active);
  }

  private runTimer(work: () => Promise<void>): void {
    this.exclusive(work).catch((error: unknown) =>
      this.logger.error(`Call timer failed: ${(error as Error).message}`),
    );
  }

  /** Runs `work` after every earlier operation has settled. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
