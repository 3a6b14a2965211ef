import type { IceCandidatePayload, SessionDescriptionPayload } from '@callgate/protocol';

/** The part of RTCPeerConnection the negotiation needs; a fake implements it in tests. */
export interface NegotiablePeer extends EventTarget {
  readonly signalingState: RTCSignalingState;
  readonly localDescription: { readonly type: RTCSdpType; readonly sdp: string } | null;
  readonly remoteDescription: { readonly type: RTCSdpType; readonly sdp: string } | null;
  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: RTCIceCandidateInit): Promise<void>;
}

/** One negotiation message, as carried by the contract's `signal` event. */
export interface NegotiationMessage {
  description?: SessionDescriptionPayload;
  candidate?: IceCandidatePayload | null;
}

/**
 * Perfect negotiation (W3C WebRTC §10.7): either side may offer at any time once the call
 * is set up (the first offer is always the caller's); on glare the
 * polite side (the callee) rolls back and takes the other's offer, the impolite side (the
 * caller) ignores the colliding offer. Remote candidates that arrive before the remote
 * description are queued, then applied in order.
 */
export class PerfectNegotiator {
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswerPending = false;
  private readonly pendingCandidates: RTCIceCandidateInit[] = [];
  private readonly onNegotiationNeeded = () => {
    // The callee answers the caller's first offer instead of racing it with its own: calls
    // whose first negotiation collided sometimes never got an answer (about 1 in 50 in the
    // e2e suite). The callee's tracks ride in that answer; anything still unnegotiated fires
    // `negotiationneeded` again once the connection is back to stable.
    if (this.polite && this.pc.remoteDescription === null) return;
    void this.offer();
  };
  private readonly onIceCandidate = (event: Event) => {
    const candidate = (event as RTCPeerConnectionIceEvent).candidate;
    // End-of-candidates is implied by the description; we only relay real candidates.
    if (candidate) this.send({ candidate: toCandidatePayload(candidate) });
  };

  constructor(
    private readonly pc: NegotiablePeer,
    readonly polite: boolean,
    private readonly send: (message: NegotiationMessage) => void,
    private readonly log: (message: string, error?: unknown) => void = (m, e) =>
      console.warn(m, e ?? ''),
  ) {
    pc.addEventListener('negotiationneeded', this.onNegotiationNeeded);
    pc.addEventListener('icecandidate', this.onIceCandidate);
  }

  /** Remote candidates waiting for a remote description. */
  get queuedCandidates(): number {
    return this.pendingCandidates.length;
  }

  detach(): void {
    this.pc.removeEventListener('negotiationneeded', this.onNegotiationNeeded);
    this.pc.removeEventListener('icecandidate', this.onIceCandidate);
    this.pendingCandidates.length = 0;
  }

  /** Creates and sends an offer (what `negotiationneeded` triggers). */
  async offer(): Promise<void> {
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const local = this.pc.localDescription;
      if (local) this.send({ description: { type: local.type, sdp: local.sdp } });
    } catch (error) {
      this.log('[negotiation] could not create an offer', error);
    } finally {
      this.makingOffer = false;
    }
  }

  /** Applies one message from the peer. Messages must be handled one at a time, in order. */
  async handle(message: NegotiationMessage): Promise<void> {
    const { description, candidate } = message;
    if (description) {
      const readyForOffer =
        !this.makingOffer &&
        (this.pc.signalingState === 'stable' || this.settingRemoteAnswerPending);
      const offerCollision = description.type === 'offer' && !readyForOffer;
      this.ignoreOffer = !this.polite && offerCollision;
      if (this.ignoreOffer) {
        this.log('[negotiation] glare: ignoring the peer’s offer (impolite side)');
        return;
      }
      this.settingRemoteAnswerPending = description.type === 'answer';
      try {
        // On the polite side a colliding offer rolls our own offer back implicitly.
        await this.pc.setRemoteDescription(description);
      } finally {
        this.settingRemoteAnswerPending = false;
      }
      await this.flushCandidates();
      if (description.type === 'offer') {
        await this.pc.setLocalDescription();
        const local = this.pc.localDescription;
        if (local) this.send({ description: { type: local.type, sdp: local.sdp } });
      }
      return;
    }
    if (candidate) {
      if (!this.pc.remoteDescription) {
        this.pendingCandidates.push(candidate);
        return;
      }
      await this.addCandidate(candidate);
    }
  }

  private async flushCandidates(): Promise<void> {
    while (this.pendingCandidates.length > 0) {
      const next = this.pendingCandidates.shift();
      if (next) await this.addCandidate(next);
    }
  }

  private async addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      // Candidates of an offer we ignored cannot apply; anything else is worth a log line.
      if (!this.ignoreOffer) this.log('[negotiation] could not add a remote candidate', error);
    }
  }
}

export function toCandidatePayload(candidate: RTCIceCandidate): IceCandidatePayload {
  return {
    candidate: candidate.candidate,
    sdpMid: candidate.sdpMid,
    sdpMLineIndex: candidate.sdpMLineIndex,
    usernameFragment: candidate.usernameFragment,
  };
}
