import {
  type NegotiablePeer,
  type NegotiationMessage,
  PerfectNegotiator,
} from './perfect-negotiation';

type Description = { type: RTCSdpType; sdp: string };

/**
 * A peer connection that implements the signaling-state machine of JSEP closely enough
 * to get glare wrong: answers are refused unless we have a local offer, candidates are
 * refused without a remote description, and a remote offer in `have-local-offer` rolls
 * back implicitly (as browsers do).
 */
class FakePeer extends EventTarget implements NegotiablePeer {
  signalingState: RTCSignalingState = 'stable';
  localDescription: Description | null = null;
  remoteDescription: Description | null = null;
  readonly addedCandidates: RTCIceCandidateInit[] = [];
  readonly rollbacks: string[] = [];
  private offers = 0;

  constructor(readonly name: string) {
    super();
  }

  async setLocalDescription(): Promise<void> {
    await tick();
    if (this.signalingState === 'stable') {
      this.localDescription = { type: 'offer', sdp: `${this.name}-offer-${++this.offers}` };
      this.signalingState = 'have-local-offer';
    } else if (this.signalingState === 'have-remote-offer') {
      this.localDescription = {
        type: 'answer',
        sdp: `${this.name}-answer-to-${this.remoteDescription?.sdp}`,
      };
      this.signalingState = 'stable';
    } else {
      throw new DOMException(`setLocalDescription in ${this.signalingState}`, 'InvalidStateError');
    }
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await tick();
    if (description.type === 'offer') {
      if (this.signalingState === 'have-local-offer')
        this.rollbacks.push(this.localDescription?.sdp ?? '');
      this.remoteDescription = { type: 'offer', sdp: description.sdp ?? '' };
      this.signalingState = 'have-remote-offer';
    } else if (description.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') {
        throw new DOMException(`answer in ${this.signalingState}`, 'InvalidStateError');
      }
      this.remoteDescription = { type: 'answer', sdp: description.sdp ?? '' };
      this.signalingState = 'stable';
    }
  }

  async addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    await tick();
    if (!this.remoteDescription)
      throw new DOMException('no remote description', 'InvalidStateError');
    this.addedCandidates.push(candidate);
  }
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Delivers messages to a negotiator one at a time, in order (like the app's concatMap). */
class OrderedInbox {
  private chain = Promise.resolve();
  readonly errors: unknown[] = [];
  constructor(private readonly target: () => PerfectNegotiator) {}
  deliver(message: NegotiationMessage): void {
    this.chain = this.chain
      .then(() => this.target().handle(message))
      .catch((e: unknown) => void this.errors.push(e));
  }
  drained(): Promise<void> {
    return this.chain;
  }
}

async function settle(...inboxes: OrderedInbox[]): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await Promise.all(inboxes.map((b) => b.drained()));
    await tick();
  }
}

function pair() {
  const callerPc = new FakePeer('caller');
  const calleePc = new FakePeer('callee');
  const toCaller = new OrderedInbox(() => caller);
  const toCallee = new OrderedInbox(() => callee);
  const log = () => undefined;
  const caller: PerfectNegotiator = new PerfectNegotiator(
    callerPc,
    false,
    (m) => toCallee.deliver(m),
    log,
  );
  const callee: PerfectNegotiator = new PerfectNegotiator(
    calleePc,
    true,
    (m) => toCaller.deliver(m),
    log,
  );
  return { callerPc, calleePc, caller, callee, toCaller, toCallee };
}

describe('PerfectNegotiator', () => {
  it('completes a plain offer/answer when only the caller offers', async () => {
    const { callerPc, calleePc, caller, toCaller, toCallee } = pair();
    await caller.offer();
    await settle(toCaller, toCallee);
    expect(callerPc.signalingState).toBe('stable');
    expect(calleePc.signalingState).toBe('stable');
    expect(calleePc.remoteDescription?.sdp).toBe('caller-offer-1');
    expect(callerPc.remoteDescription?.sdp).toBe('callee-answer-to-caller-offer-1');
  });

  it('glare: both offer at once → the polite callee rolls back and the caller’s offer wins', async () => {
    const { callerPc, calleePc, caller, callee, toCaller, toCallee } = pair();
    await Promise.all([caller.offer(), callee.offer()]);
    await settle(toCaller, toCallee);
    expect(calleePc.rollbacks).toEqual(['callee-offer-1']);
    expect(callerPc.rollbacks).toEqual([]); // the impolite side ignored the colliding offer
    expect(callerPc.signalingState).toBe('stable');
    expect(calleePc.signalingState).toBe('stable');
    expect(calleePc.remoteDescription?.sdp).toBe('caller-offer-1');
    expect(callerPc.remoteDescription?.sdp).toBe('callee-answer-to-caller-offer-1');
    expect([...toCaller.errors, ...toCallee.errors]).toEqual([]);
  });

  it('glare the other way: the callee’s offer lands first while the caller is mid-offer', async () => {
    const { callerPc, calleePc, caller, callee, toCaller, toCallee } = pair();
    // The callee's offer is already on the wire when the caller starts its own.
    const calleeOffer = callee.offer();
    const callerOffer = caller.offer();
    await Promise.all([calleeOffer, callerOffer]);
    await settle(toCaller, toCallee);
    expect(callerPc.signalingState).toBe('stable');
    expect(calleePc.signalingState).toBe('stable');
    expect(calleePc.rollbacks).toHaveLength(1);
    expect(calleePc.remoteDescription?.sdp).toBe('caller-offer-1');
    expect([...toCaller.errors, ...toCallee.errors]).toEqual([]);
  });

  it('impolite side ignores a colliding offer, polite side accepts it', async () => {
    const impolitePc = new FakePeer('a');
    const sent: NegotiationMessage[] = [];
    const impolite = new PerfectNegotiator(
      impolitePc,
      false,
      (m) => sent.push(m),
      () => undefined,
    );
    await impolite.offer();
    await impolite.handle({ description: { type: 'offer', sdp: 'b-offer-1' } });
    expect(impolitePc.remoteDescription).toBeNull();
    expect(impolitePc.signalingState).toBe('have-local-offer');

    const politePc = new FakePeer('b');
    const polite = new PerfectNegotiator(
      politePc,
      true,
      (m) => sent.push(m),
      () => undefined,
    );
    await polite.offer();
    await polite.handle({ description: { type: 'offer', sdp: 'a-offer-1' } });
    expect(politePc.signalingState).toBe('stable');
    expect(sent.at(-1)).toEqual({ description: { type: 'answer', sdp: 'b-answer-to-a-offer-1' } });
  });

  it('queues candidates that arrive before the description and applies them after it, in order', async () => {
    const pc = new FakePeer('callee');
    const negotiator = new PerfectNegotiator(
      pc,
      true,
      () => undefined,
      () => undefined,
    );
    await negotiator.handle({
      candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 1000 typ host' },
    });
    await negotiator.handle({
      candidate: { candidate: 'candidate:2 1 udp 1 203.0.113.9 3478 typ relay' },
    });
    expect(negotiator.queuedCandidates).toBe(2);
    expect(pc.addedCandidates).toEqual([]);
    await negotiator.handle({ description: { type: 'offer', sdp: 'caller-offer-1' } });
    expect(negotiator.queuedCandidates).toBe(0);
    expect(pc.addedCandidates.map((c) => c.candidate)).toEqual([
      'candidate:1 1 udp 1 10.0.0.1 1000 typ host',
      'candidate:2 1 udp 1 203.0.113.9 3478 typ relay',
    ]);
    // Later candidates go straight in.
    await negotiator.handle({
      candidate: { candidate: 'candidate:3 1 tcp 1 10.0.0.1 9 typ host' },
    });
    expect(pc.addedCandidates).toHaveLength(3);
  });

  it('resets makingOffer even when creating the offer fails, so the next offer is handled', async () => {
    const pc = new FakePeer('callee');
    pc.signalingState = 'have-local-pranswer'; // makes setLocalDescription throw
    const negotiator = new PerfectNegotiator(
      pc,
      false,
      () => undefined,
      () => undefined,
    );
    await negotiator.offer();
    pc.signalingState = 'stable';
    await negotiator.handle({ description: { type: 'offer', sdp: 'x-offer' } });
    // Had makingOffer stuck at true, the impolite side would have ignored this offer.
    expect(pc.remoteDescription?.sdp).toBe('x-offer');
  });

  it('sends local candidates and offers on negotiationneeded', async () => {
    const pc = new FakePeer('caller');
    const sent: NegotiationMessage[] = [];
    new PerfectNegotiator(
      pc,
      false,
      (m) => sent.push(m),
      () => undefined,
    );
    pc.dispatchEvent(new Event('negotiationneeded'));
    const candidateEvent = Object.assign(new Event('icecandidate'), {
      candidate: {
        candidate: 'candidate:9 1 udp 1 192.0.2.1 5000 typ srflx',
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: 'u',
      },
    });
    pc.dispatchEvent(candidateEvent);
    await settle();
    expect(sent).toContainEqual({ description: { type: 'offer', sdp: 'caller-offer-1' } });
    expect(sent).toContainEqual({
      candidate: {
        candidate: 'candidate:9 1 udp 1 192.0.2.1 5000 typ srflx',
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: 'u',
      },
    });
  });

  it('the callee leaves the first offer to the caller, answers it, then may renegotiate', async () => {
    const { callerPc, calleePc, toCaller, toCallee } = pair();
    // Both connections want to negotiate the moment the call is accepted.
    calleePc.dispatchEvent(new Event('negotiationneeded'));
    callerPc.dispatchEvent(new Event('negotiationneeded'));
    await settle(toCaller, toCallee);
    expect(calleePc.rollbacks).toEqual([]); // no collision to resolve: the callee waited
    expect(calleePc.remoteDescription?.sdp).toBe('caller-offer-1');
    expect(callerPc.remoteDescription?.sdp).toBe('callee-answer-to-caller-offer-1');
    expect(callerPc.signalingState).toBe('stable');

    // Once the call is set up, the callee offers like anyone (e.g. an ICE restart).
    calleePc.dispatchEvent(new Event('negotiationneeded'));
    await settle(toCaller, toCallee);
    expect(callerPc.remoteDescription?.sdp).toBe('callee-offer-1');
    expect(calleePc.remoteDescription?.sdp).toBe('caller-answer-to-callee-offer-1');
    expect([...toCaller.errors, ...toCallee.errors]).toEqual([]);
  });
});
