import type { CallRole, SessionDescriptionPayload } from '@callgate/protocol';

import type { PeerSession } from './peer-session';
import type { NegotiationMessage } from './perfect-negotiation';
import { HeldSignals, RingingNegotiation } from './ringing-negotiation';

/** The part of a {@link PeerSession} the negotiation drives; a fake in unit tests. */
export type NegotiatingSession = Pick<PeerSession, 'pc' | 'relayOnly' | 'handle'>;

/** What a {@link CallNegotiation} needs from its call; `ActiveCall` wires the real ones. */
export interface CallNegotiationOptions {
  role: CallRole;
  /** Sends one message that may leave now (the call may still lack an id, or be closed). */
  deliver: (message: NegotiationMessage) => void;
  /** Whether the call was closed: nothing is applied after that. */
  closed: () => boolean;
  /** The call was answered (or resumed answered): the media countdown starts. */
  onAnswered: () => void;
}

/**
 * One call's negotiation over signaling, across the connections a call may have (a
 * rejoin replaces the connection): what leaves is held in {@link HeldSignals} until it
 * may (the caller's until the invite has an id, the callee's until the Accept), the
 * ringing callee's offer and candidates go through {@link RingingNegotiation}, and every
 * incoming signal and the answer run one at a time, in order, each waiting for the
 * connection to exist. Its own state: the held messages, the queue, the ringing
 * negotiation, whether the call was answered, and whether signals are dropped while a
 * rejoin replaces the connection.
 */
export class CallNegotiation {
  private readonly outgoing: HeldSignals;
  /** The callee's negotiation while it rings; `null` once answered. */
  private ringing: RingingNegotiation | null = null;
  private answered = false;
  /** Incoming signals and the answer run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** While set, signals are dropped: they belong to a connection that no longer exists. */
  private holdingSignals = false;
  /** Caller: the answer applied from `call:accepted`, whose `signal` copy is ignored. */
  private acceptedAnswerSdp: string | null = null;
  /** The current connection, `null` once it was closed; queued signals wait for it. */
  private sessionReady = Promise.withResolvers<NegotiatingSession | null>();

  /** What the connection sends: held or delivered, in order. */
  readonly send = (message: NegotiationMessage): void => this.outgoing.send(message);

  constructor(private readonly options: CallNegotiationOptions) {
    this.outgoing = new HeldSignals(options.deliver);
  }

  /** Whether a `signal` received now is for this call's current connection. */
  get acceptsSignals(): boolean {
    return !this.options.closed() && !this.holdingSignals;
  }

  /** Drops signals until {@link acceptSignals}: used while rejoining with a fresh connection. */
  holdSignals(): void {
    this.holdingSignals = true;
  }

  acceptSignals(): void {
    this.holdingSignals = false;
  }

  /** The invite has its id: the caller's offer may leave now. */
  attached(): void {
    if (this.options.role === 'caller') this.outgoing.open();
  }

  /**
   * The call's connection exists: queued signals apply to it now. A callee that has not
   * answered yet negotiates it as a ringing one.
   */
  sessionCreated(session: NegotiatingSession): void {
    if (this.options.role === 'callee' && !this.answered) {
      this.ringing = new RingingNegotiation(session.pc, this.send, session.relayOnly);
    }
    this.sessionReady.resolve(session);
  }

  /** The connection was closed: what waits for it is dropped, and so is a ringing answer. */
  sessionClosed(): void {
    this.ringing?.close();
    this.ringing = null;
    this.sessionReady.resolve(null);
  }

  /** A fresh connection is on its way (rejoin): signals from now on wait for that one. */
  expectSession(): void {
    this.sessionReady = Promise.withResolvers<NegotiatingSession | null>();
  }

  /**
   * Callee, on Accept, once the connection exists: the answer made while it rang, for
   * `call:accept` to carry, after what arrived before it is applied. `hasOffer: false`
   * when the offer is not here (the caller is then asked to resend it).
   */
  prepareAnswer(): Promise<{ hasOffer: boolean; answer?: RTCSessionDescriptionInit }> {
    return this.serially(async () => {
      const ringing = this.ringing;
      if (!ringing?.hasOffer || this.options.closed()) return { hasOffer: false };
      const answer = await ringing.answerNow();
      // No answer after all (the offer could not be answered): the caller resends it and
      // the regular negotiation answers, as for a tab that never got it.
      return answer ? { hasOffer: true, answer } : { hasOffer: false };
    });
  }

  /**
   * The call was answered: everything held may leave (the caller's offer again when
   * `resendOffer`), the media countdown starts, and a ringing callee's answer and the
   * caller's candidates go out and to ICE.
   */
  answer(resendOffer: boolean): Promise<void> {
    this.answered = true;
    return this.serially(async () => {
      if (this.options.closed()) return;
      this.outgoing.open();
      if (resendOffer) this.outgoing.replay();
      this.outgoing.settle();
      const ringing = this.ringing;
      this.ringing = null;
      this.options.onAnswered();
      await ringing?.accept();
    });
  }

  /**
   * A tab picks up a call answered before it was reloaded (rejoin). Nothing is held for a
   * call id or an Accept, and the connection created next is not a ringing one: without
   * this the fresh connection's offer (caller) or answer (callee) would wait for an Accept
   * that never comes, and neither side would ever connect. The media countdown runs as
   * after an answer.
   */
  resumeAnswered(): void {
    if (this.options.closed()) return;
    this.answered = true;
    this.outgoing.open();
    this.outgoing.settle();
    this.options.onAnswered();
  }

  /** Applies one negotiation message; one that arrives before the connection waits for it. */
  handleSignal(message: NegotiationMessage): Promise<void> {
    if (this.isAppliedAnswer(message)) return Promise.resolve();
    return this.apply(message);
  }

  /** Caller: the answer from `call:accepted`; its copy that follows as a `signal` is ignored. */
  applyAcceptedAnswer(answer: SessionDescriptionPayload): Promise<void> {
    this.acceptedAnswerSdp = answer.sdp ?? null;
    return this.apply({ description: answer });
  }

  /** The call ended: nothing held or sent later leaves. */
  close(): void {
    this.outgoing.close();
  }

  /** The `signal` copy of the answer already applied from `call:accepted` (once). */
  private isAppliedAnswer({ description }: NegotiationMessage): boolean {
    if (description?.type !== 'answer' || description.sdp !== this.acceptedAnswerSdp) return false;
    this.acceptedAnswerSdp = null;
    return true;
  }

  private apply(message: NegotiationMessage): Promise<void> {
    return this.serially(async () => {
      const session = await this.sessionReady.promise;
      if (!session || this.options.closed()) return;
      if (this.ringing && (await this.ringing.receive(message))) return;
      await session.handle(message);
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
