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
 * How long the answer waits, at most, for this side's candidates to be in it. They were
 * gathered while it rang (candidate pool), so they are usually there at once; carried in
 * the answer, they reach the caller with `call:accept` instead of a trip later, which
 * lets a relay-only caller open its TURN permission for them straight away.
 */
export const ANSWER_CANDIDATES_WAIT_MS = 25;

type GatheringPeer = NegotiablePeer & { readonly iceGatheringState?: RTCIceGatheringState };

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

/**
 * The callee's side of a call while it rings (pre-negotiation). The caller's offer is
 * applied at once, so the connection, its transceivers and its pooled candidates (TURN
 * allocations included) are ready when the person answers; but the answer is only
 * created on {@link accept}, and the caller's candidates are only handed to ICE then.
 * Creating the answer starts ICE, and ICE checks or any answer would tell the caller
 * where the callee is before they chose to pick up: before Accept nothing leaves.
 */
export class RingingNegotiation {
  private readonly heldCandidates: NonNullable<NegotiationMessage['candidate']>[] = [];
  private offerApplied = false;
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
      await this.pc.setRemoteDescription(description);
      this.offerApplied = true;
    } else if (candidate) {
      this.heldCandidates.push(candidate);
    }
    return true;
  }

  /**
   * The person pressed Accept: creates the answer and hands ICE the held candidates, and
   * returns the answer instead of sending it, so it travels with `call:accept` (one trip
   * instead of accept, acknowledgement, then signal). `null` without the offer.
   */
  async answerNow(): Promise<RTCSessionDescriptionInit | null> {
    if (this.state !== 'ringing') return null;
    this.state = 'accepted';
    let answer: RTCSessionDescriptionInit | null = null;
    if (this.offerApplied && this.pc.signalingState === 'have-remote-offer') {
      await this.pc.setLocalDescription();
      // Taken at once: back in `stable`, `negotiationneeded` may start this side's own
      // offer (a voice call's unnegotiated video transceiver) and replace the description.
      const local = this.pc.localDescription;
      if (local?.type === 'answer') answer = { type: local.type, sdp: local.sdp };
    }
    for (const candidate of this.heldCandidates.splice(0)) {
      // A candidate the connection cannot use is not worth failing the call for.
      await this.pc.addIceCandidate(candidate).catch(() => undefined);
    }
    if (answer && this.relayOnly) {
      // Read again once the pooled candidates landed in it (they are trickled too). Worth
      // the wait only relay-only: there the caller's TURN server drops the callee's checks
      // until the caller has its relay address; otherwise checks find the way.
      await candidatesGathered(this.pc, ANSWER_CANDIDATES_WAIT_MS);
      const local = this.pc.localDescription;
      if (local?.type === 'answer') answer = { type: local.type, sdp: local.sdp };
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
}
