import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  type CallAcceptPayload,
  type CallEndReason,
  CallEndReason as Reason,
  type SignalPayload,
  type SignalRelayed,
} from '@callgate/protocol';
import { CallgateError } from '../common/callgate-error';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { PresenceService } from '../presence/presence.service';
import { CallHistoryService } from './call-history.service';
import { CALL_NOTIFIER, type CallNotifier } from './call-notifier';
import { type CallMember, type CallSession, carrierOf, resumeOf, roleOf } from './call-session';
import { CALL_SESSION_STORE, type CallSessionStore } from './call-session.store';
import { KeyedQueue } from './keyed-queue';

const CALL_GONE = 'This call has ended or never existed.';
/** How often this replica looks for due ring and grace deadlines (any replica's). */
export const DEADLINE_POLL_MS = 200;
const DEADLINES_PER_POLL = 100;

/**
 * The call state machine: ringing → active → ended, with every end reason of the
 * contract. State lives in the shared {@link CallSessionStore}, changed only by its
 * atomic transitions, so replicas agree on every race (two accepts, crossing invites,
 * a hang-up against a timeout). Work is ordered per call ({@link KeyedQueue}), never
 * behind one global queue.
 */
@Injectable()
export class CallService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CallService.name);
  private readonly queue = new KeyedQueue();
  private poller: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    @Inject(CALL_SESSION_STORE) private readonly store: CallSessionStore,
    @Inject(CALL_NOTIFIER) private readonly notify: CallNotifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly presence: PresenceService,
    private readonly history: CallHistoryService,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.metrics.countActiveCallsWith(() => this.store.countByPhase());
    this.poller = setInterval(() => void this.fireDeadlines(), DEADLINE_POLL_MS);
    this.poller.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.poller);
  }

  invite(from: CallMember, to: string, video = true): Promise<{ callId: string }> {
    if (to === from.userId)
      return Promise.reject(CallgateError.invalidPayload('You cannot call yourself.'));
    // Both directions of a pair share one key, so crossing invites on one replica queue.
    const pair = [from.userId, to].sort().join(':');
    return this.queue.run(pair, async () => {
      const callee = await this.presence.summary(to);
      if (callee === undefined) {
        const own = await this.store.findByUser(from.userId);
        if (own !== undefined) return this.inviteWhileInCall(own, from, to);
        throw CallgateError.notFound('That person is not online right now.');
      }
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
      const outcome = await this.store.create(session, this.config.signaling.ringTimeoutMs);
      if (outcome.kind === 'member') return this.inviteWhileInCall(outcome.session, from, to);
      if (outcome.kind === 'busy') {
        // Not stored: only the caller's tab learns about it, right after the ack with the id.
        setImmediate(() => this.finish(session, Reason.Busy));
        return { callId: session.id };
      }
      this.notify.toUser(callee.id, 'call:incoming', {
        callId: session.id,
        from: from.summary,
        video,
      });
      this.logger.log(`Call ${session.id}: ${from.userId} is ringing ${callee.id}`);
      return { callId: session.id };
    });
  }

  /**
   * `hasOffer`: the accepting tab holds the offer the caller sent while it rang; `answer`,
   * its answer to it, goes to the caller right after `call:accepted`.
   */
  accept(
    who: CallMember,
    callId: string,
    { hasOffer = true, answer }: Omit<CallAcceptPayload, 'callId'> = {},
  ): Promise<void> {
    return this.queue.run(callId, () =>
      this.acceptAs(who, callId, answer === undefined ? { hasOffer } : { hasOffer, answer }),
    );
  }

  decline(who: CallMember, callId: string): Promise<void> {
    return this.queue.run(callId, async () => {
      const session = await this.requireSession(callId);
      if (session.callee.id !== who.userId)
        throw CallgateError.forbidden('Only the person being called can decline.');
      const ended = await this.store.end(callId, 'ringing');
      if (ended === undefined) {
        if ((await this.store.get(callId)) === undefined) throw CallgateError.notFound(CALL_GONE);
        throw CallgateError.conflict('This call is already answered; hang up instead.');
      }
      this.finish(ended, Reason.Declined);
    });
  }

  hangup(who: CallMember, callId: string): Promise<void> {
    return this.queue.run(callId, async () => {
      const session = await this.requireSession(callId);
      const role = roleOf(session, who.userId);
      if (role === undefined) throw CallgateError.forbidden('You are not a member of this call.');
      const ended = await this.store.end(callId);
      if (ended === undefined) throw CallgateError.notFound(CALL_GONE);
      // The phase at the moment of the end decides the reason, not the one read above.
      if (ended.phase === 'active') this.finish(ended, Reason.Hangup);
      else this.finish(ended, role === 'caller' ? Reason.Cancelled : Reason.Declined);
    });
  }

  /**
   * Relays SDP/ICE to the other member; one store read, refused for anyone but the call
   * tab. While it rings, the caller's offer and candidates go to every ringing tab of the
   * callee (pre-negotiation), but nothing of the callee's is relayed before the accept:
   * an answer or candidate would reveal where the callee is before they chose to answer.
   */
  signal(who: CallMember, payload: SignalPayload): Promise<void> {
    return this.queue.run(payload.callId, async () => {
      const session = await this.store.get(payload.callId);
      const role = session === undefined ? undefined : roleOf(session, who.userId);
      if (session === undefined || role === undefined) {
        throw CallgateError.forbidden('You are not a member of this call.');
      }
      if (session.phase !== 'active' && role === 'callee')
        throw CallgateError.conflict('The call has not been answered yet.');
      if (carrierOf(session, role) !== who.socketId)
        throw CallgateError.forbidden('This call is connected in another tab.');
      const relayed: SignalRelayed = { callId: session.id, from: who.userId };
      if (payload.description !== undefined) relayed.description = payload.description;
      if (payload.candidate !== undefined) relayed.candidate = payload.candidate;
      if (session.phase === 'ringing') {
        this.notify.toUser(session.callee.id, 'signal', relayed);
        return;
      }
      const peerSocket = carrierOf(session, role === 'caller' ? 'callee' : 'caller');
      if (peerSocket === null)
        throw CallgateError.conflict('The other person is reconnecting; wait for them.');
      this.notify.toSocket(peerSocket, 'signal', relayed);
    });
  }

  /**
   * `who` picked its active call up again on this socket (after `call:resume`) with a
   * fresh peer connection: the other member must drop its old one and negotiate anew.
   */
  rejoin(who: CallMember, callId: string): Promise<void> {
    return this.queue.run(callId, async () => {
      const session = await this.requireSession(callId);
      const role = roleOf(session, who.userId);
      if (role === undefined) throw CallgateError.forbidden('You are not a member of this call.');
      if (session.phase !== 'active')
        throw CallgateError.conflict('The call has not been answered yet.');
      if (carrierOf(session, role) !== who.socketId)
        throw CallgateError.forbidden('This call is connected in another tab.');
      const peerSocket = carrierOf(session, role === 'caller' ? 'callee' : 'caller');
      if (peerSocket === null)
        throw CallgateError.conflict('The other person is reconnecting; wait for them.');
      this.notify.toSocket(peerSocket, 'call:peer-rejoined', { callId: session.id });
      this.logger.log(`Call ${session.id}: ${who.userId} rejoined with a fresh connection`);
    });
  }

  /**
   * A socket of `who` connected: resume a call whose tab was lost (grace period, or a tab
   * whose replica died), or ring a new tab of a ringing callee.
   */
  async socketConnected(who: CallMember): Promise<void> {
    const found = await this.store.findByUser(who.userId);
    if (found === undefined) return;
    await this.queue.run(found.id, async () => {
      const session = await this.store.get(found.id);
      const role = session === undefined ? undefined : roleOf(session, who.userId);
      if (session === undefined || role === undefined) return;
      if (session.phase === 'ringing' && role === 'callee') {
        await this.store.cancelGrace(session.id, who.userId);
        this.notify.toSocket(who.socketId, 'call:resume', resumeOf(session, role));
        return;
      }
      const carrier = carrierOf(session, role);
      if (carrier === who.socketId) return;
      if (carrier !== null && (await this.presence.isSocketLive(who.userId, carrier))) return;
      await this.takeOver(session.id, who.userId, who.socketId, carrier);
    });
  }

  /**
   * A socket of `who` closed (or its replica died). When it carried the call and the user
   * still has another socket (`replacement`, else their newest), that one takes the call
   * over at once: a reloaded tab whose new socket connected before this close was seen
   * (it found the old carrier still live and resumed nothing), or a second tab, which
   * offers "Rejoin call". Otherwise, or for the last tab of a ringing callee, the member
   * gets the grace period to come back.
   */
  async socketDisconnected(
    who: Pick<CallMember, 'userId' | 'socketId'>,
    socketsLeft: number,
    replacement?: string,
  ): Promise<void> {
    const found = await this.store.findByUser(who.userId);
    if (found === undefined) return;
    await this.queue.run(found.id, async () => {
      const heir =
        replacement ?? (socketsLeft > 0 ? await this.presence.newestSocket(who.userId) : undefined);
      if (
        heir !== undefined &&
        heir !== who.socketId &&
        (await this.takeOver(found.id, who.userId, heir, who.socketId))
      )
        return;
      await this.store.detach(
        found.id,
        who.userId,
        who.socketId,
        socketsLeft === 0,
        this.config.signaling.reconnectGraceMs,
      );
    });
  }

  private async takeOver(
    callId: string,
    userId: string,
    socketId: string,
    expectedCarrier: string | null,
  ): Promise<boolean> {
    const session = await this.store.attach(callId, userId, socketId, expectedCarrier);
    const role = session === undefined ? undefined : roleOf(session, userId);
    if (session === undefined || role === undefined) return false;
    // The new carrier may have closed meanwhile (on any replica), and its own close found
    // nothing to detach: a presence record removed before this check means the carrier is
    // gone, so detach it here and the grace period runs, else the call would stay carried
    // by a dead socket forever.
    if (!(await this.presence.hasSocket(userId, socketId))) {
      await this.store.detach(
        callId,
        userId,
        socketId,
        true,
        this.config.signaling.reconnectGraceMs,
      );
      return true;
    }
    this.notify.toSocket(socketId, 'call:resume', resumeOf(session, role));
    this.logger.log(`Call ${callId}: ${userId} resumed on a new connection`);
    return true;
  }

  private async acceptAs(
    who: CallMember,
    callId: string,
    { hasOffer = true, answer }: Omit<CallAcceptPayload, 'callId'> = {},
  ): Promise<void> {
    const outcome = await this.store.accept(
      callId,
      who.userId,
      who.socketId,
      new Date().toISOString(),
    );
    switch (outcome.kind) {
      case 'gone':
        throw CallgateError.notFound(CALL_GONE);
      case 'not_callee':
        throw CallgateError.forbidden('Only the person being called can accept.');
      case 'already_answered':
        throw CallgateError.conflict('This call was already answered.');
      case 'accepted':
        break;
    }
    const session = outcome.session;
    if (session.callerSocketId !== null) {
      const relayAnswer = answer !== undefined && hasOffer;
      this.notify.toSocket(session.callerSocketId, 'call:accepted', {
        callId: session.id,
        role: 'caller',
        ...(hasOffer ? {} : { resendOffer: true }),
        // In the same message: the caller applies it before its page turns into the call
        // view (rendering that first held a separate `signal` back by tens of ms).
        ...(relayAnswer ? { answer } : {}),
      });
      // Again as a `signal` after `call:accepted` on the same socket, for caller tabs that
      // predate `CallAccepted.answer` (one that applied it ignores this copy).
      if (relayAnswer) {
        this.notify.toSocket(session.callerSocketId, 'signal', {
          callId: session.id,
          from: who.userId,
          description: answer,
        });
      }
    }
    this.notify.toSocket(who.socketId, 'call:accepted', { callId: session.id, role: 'callee' });
    if ((await this.presence.connectionCount(session.callee.id)) > 1) {
      this.notify.toUser(
        session.callee.id,
        'call:ended',
        { callId: session.id, reason: Reason.AnsweredElsewhere },
        who.socketId,
      );
      this.metrics.callOutcomes.inc({ reason: Reason.AnsweredElsewhere });
    }
    this.logger.log(`Call ${session.id}: answered`);
  }

  /** An invite from someone already in `own`: the crossing invite answers it. */
  private async inviteWhileInCall(
    own: CallSession,
    from: CallMember,
    to: string,
  ): Promise<{ callId: string }> {
    if (own.phase === 'ringing' && own.caller.id === to && own.callee.id === from.userId) {
      await this.queue.run(own.id, () => this.acceptAs(from, own.id));
      return { callId: own.id };
    }
    throw CallgateError.conflict('You are already in a call; hang up first.');
  }

  /** Ends the calls whose ring or grace deadline passed; each is claimed by one replica. */
  private async fireDeadlines(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const expired = await this.store.claimExpired(DEADLINES_PER_POLL);
      for (const { session, reason } of expired) this.finish(session, reason);
    } catch (error) {
      this.logger.debug(`Deadline poll failed: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  /**
   * Tells both members (every tab: the carrying one may have moved to another replica,
   * and other tabs drop a banner for it), records the call and counts the outcome.
   */
  private finish(session: CallSession, reason: CallEndReason): void {
    const payload = { callId: session.id, reason };
    if (reason === Reason.Busy) {
      if (session.callerSocketId !== null)
        this.notify.toSocket(session.callerSocketId, 'call:ended', payload);
    } else {
      this.notify.toUser(session.caller.id, 'call:ended', payload);
      this.notify.toUser(session.callee.id, 'call:ended', payload);
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
}
