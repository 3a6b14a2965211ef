import type { NegotiablePeer, NegotiationMessage } from './perfect-negotiation';

/**
 * Outgoing negotiation messages held back until {@link open}: the caller's offer and
 * candidates wait for the invite's call id, the callee's for the Accept. Held messages
 * leave in their original order; after {@link close} nothing leaves at all. What left
 * before {@link settle} is kept, so the caller can {@link replay} its offer and
 * candidates to a callee tab that opened after they were sent.
 */
export class HeldSignals {
  private held: NegotiationMessage[] | null = [];
  private sent: NegotiationMessage[] | null = [];
  private closed = false;

  constructor(private readonly deliver: (message: NegotiationMessage) => void) {}

  get isOpen(): boolean {
    return this.held === null && !this.closed;
  }

  /** How many messages are waiting. */
  get waiting(): number {
    return this.held?.length ?? 0;
  }

  send(message: NegotiationMessage): void {
    if (this.closed) return;
    if (this.held !== null) {
      this.held.push(message);
      return;
    }
    this.sent?.push(message);
    this.deliver(message);
  }

  open(): void {
    if (this.closed || this.held === null) return;
    const held = this.held;
    this.held = null;
    for (const message of held) this.send(message);
  }

  /** Sends again, in order, everything that left before {@link settle}. */
  replay(): void {
    if (this.closed || this.held !== null) return;
    for (const message of this.sent ?? []) this.deliver(message);
  }

  /** The call is answered: stop keeping copies of what was sent. */
  settle(): void {
    this.sent = null;
  }

  close(): void {
    this.closed = true;
    this.held = null;
    this.sent = null;
  }
}

/**
 * How long the answer waits, at most, for this side's candidates to be in it. They are
 * gathered while it rings (from the answer made while ringing), so they
 * are usually there long before; carried in the answer, they reach the caller with
 * `call:accept` instead of a trip later, which lets a relay-only caller open its TURN
 * permission for them straight away.
 */
export const ANSWER_CANDIDATES_WAIT_MS = 25;

type GatheringPeer = NegotiablePeer & {
  readonly iceGatheringState?: RTCIceGatheringState;
  readonly currentLocalDescription?: { readonly type: RTCSdpType; readonly sdp: string } | null;
};
type Candidate = NonNullable<NegotiationMessage['candidate']>;

function candidatesGathered(pc: GatheringPeer, waitMs: number): Promise<void> {
  if (pc.iceGatheringState === undefined || pc.iceGatheringState === 'complete') {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = (): void => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, waitMs);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

function hasRelayCandidate(description: RTCSessionDescriptionInit | null): boolean {
  return /^a=candidate:.* typ relay/m.test(description?.sdp ?? '');
}

/**
 * Splits the candidates out of a description: an offer set while ringing must not carry
 * any, or ICE would start checking them as soon as the answer is set. Each comes back as
 * the `candidate` a trickled one would be (its m-section's mid and index).
 */
export function withoutCandidates(sdp: string): { sdp: string; candidates: Candidate[] } {
  const candidates: Candidate[] = [];
  const kept: string[] = [];
  let index = -1;
  let mid: string | undefined;
  const pending: string[] = [];
  for (const line of sdp.split('\r\n')) {
    if (line.startsWith('m=')) {
      for (const c of pending.splice(0)) candidates.push(candidateOf(c, index, mid));
      index++;
      mid = undefined;
    } else if (line.startsWith('a=mid:')) {
      mid = line.slice('a=mid:'.length);
    }
    if (line.startsWith('a=candidate:')) pending.push(line.slice(2));
    else if (line !== 'a=end-of-candidates') kept.push(line);
  }
  for (const c of pending) candidates.push(candidateOf(c, index, mid));
  return { sdp: kept.join('\r\n'), candidates };
}

function candidateOf(candidate: string, index: number, mid: string | undefined): Candidate {
  return {
    candidate,
    sdpMLineIndex: Math.max(index, 0),
    ...(mid === undefined ? {} : { sdpMid: mid }),
  };
}

/**
 * The callee's side of a call while it rings (pre-negotiation). The caller's offer is
 * applied at once and answered at once, locally: the connection, its transceivers, its
 * DTLS role and its candidates (TURN allocations included) are ready when the person
 * answers, and Accept only has to send. What would tell the caller where the callee is
 * stays here until {@link answerNow}: the answer itself, and the caller's candidates —
 * those trickled and those the offer carried — which ICE only gets then, so no check
 * leaves before the person chose to pick up.
 */
export class RingingNegotiation {
  private readonly heldCandidates: Candidate[] = [];
  private offerApplied = false;
  /** The answer set while ringing (`null` until then, or when it could not be made). */
  private answer: RTCSessionDescriptionInit | null = null;
  private state: 'ringing' | 'accepted' | 'closed' = 'ringing';

  constructor(
    private readonly pc: GatheringPeer,
    private readonly send: (message: NegotiationMessage) => void,
    /** Relay only: the answer waits (briefly) for this side's relay candidates. */
    private readonly relayOnly = false,
  ) {}

  get phase(): 'ringing' | 'accepted' | 'closed' {
    return this.state;
  }

  /** True when the caller's offer is already applied (so Accept only has to answer). */
  get hasOffer(): boolean {
    return this.offerApplied;
  }

  /** True when the answer is already set locally (Accept only sends it). */
  get answered(): boolean {
    return this.answer !== null;
  }

  /** Candidates of the caller kept back until Accept. */
  get heldCandidateCount(): number {
    return this.heldCandidates.length;
  }

  /**
   * Takes one message from the caller while ringing; returns false once accepted (the
   * message then belongs to the regular negotiation).
   */
  async receive(message: NegotiationMessage): Promise<boolean> {
    if (this.state !== 'ringing') return this.state === 'closed';
    const { description, candidate } = message;
    if (description?.type === 'offer' && !this.offerApplied) {
      const offer = withoutCandidates(description.sdp ?? '');
      await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
      this.heldCandidates.push(...offer.candidates);
      this.offerApplied = true;
      await this.answerLocally();
    } else if (candidate) {
      this.heldCandidates.push(candidate);
    }
    return true;
  }

  /**
   * The person pressed Accept: returns the answer made while ringing (with the candidates
   * gathered since) instead of sending it, so it travels with `call:accept` (one trip
   * instead of accept, acknowledgement, then signal), and hands ICE the held candidates.
   * `null` without the offer.
   */
  async answerNow(): Promise<RTCSessionDescriptionInit | null> {
    if (this.state !== 'ringing') return null;
    this.state = 'accepted';
    // Not answered yet only if the offer came a moment ago (or answering it failed).
    if (this.answer === null) await this.answerLocally(true);
    if (this.answer !== null && this.relayOnly && !hasRelayCandidate(this.currentAnswer())) {
      // Worth the wait only relay-only, and only while no relay candidate is in it yet:
      // the caller's TURN server drops the callee's checks until the caller has a relay
      // address of the callee's; otherwise checks find the way.
      await candidatesGathered(this.pc, ANSWER_CANDIDATES_WAIT_MS);
    }
    const answer = this.answer === null ? null : this.currentAnswer();
    for (const candidate of this.heldCandidates.splice(0)) {
      // Not awaited: ICE starts checking while the answer is on its way. A candidate the
      // connection cannot use is not worth failing the call for.
      void this.pc.addIceCandidate(candidate).catch(() => undefined);
    }
    return answer;
  }

  /** The person answered: create and send the answer, then hand ICE the held candidates. */
  async accept(): Promise<void> {
    const answer = await this.answerNow();
    if (answer) this.send({ description: answer });
  }

  close(): void {
    this.state = 'closed';
    this.heldCandidates.length = 0;
  }

  /** Sets the answer to the applied offer, sending nothing (ICE has no remote candidate). */
  private async answerLocally(accepting = false): Promise<void> {
    if (!this.offerApplied || this.pc.signalingState !== 'have-remote-offer') return;
    if (this.state !== (accepting ? 'accepted' : 'ringing')) return;
    await this.pc.setLocalDescription();
    // Taken at once: back in `stable`, `negotiationneeded` may start this side's own
    // offer (a voice call's unnegotiated video transceiver) and replace the description.
    const local = this.pc.localDescription;
    if (local?.type === 'answer') this.answer = { type: local.type, sdp: local.sdp };
  }

  /**
   * The answer as it is now: the applied one with the candidates gathered since it was
   * set (the current local description keeps them, even once this side's own
   * renegotiation has a pending offer).
   */
  private currentAnswer(): RTCSessionDescriptionInit | null {
    const current = this.pc.currentLocalDescription ?? this.pc.localDescription;
    if (current?.type === 'answer') return { type: current.type, sdp: current.sdp };
    return this.answer;
  }
}
