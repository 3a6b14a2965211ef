import { jest } from '@jest/globals';

import type { NegotiationMessage } from './perfect-negotiation';
import { ANSWER_CANDIDATES_WAIT_MS, HeldSignals, RingingNegotiation } from './ringing-negotiation';
import { FakeRtcPeer } from './testing/fake-rtc';

const offer = { type: 'offer', sdp: 'offer-sdp' } as const;
const candidate = { candidate: 'candidate:1 1 udp 1 192.0.2.1 3478 typ relay', sdpMid: '0' };

describe('HeldSignals', () => {
  it('holds messages until opened, then sends them in order, then passes them through', () => {
    const out: NegotiationMessage[] = [];
    const gate = new HeldSignals((m) => out.push(m));
    gate.send({ description: offer });
    gate.send({ candidate });
    expect(out).toEqual([]);
    expect(gate.waiting).toBe(2);
    gate.open();
    expect(out).toEqual([{ description: offer }, { candidate }]);
    gate.send({ candidate: null });
    expect(out).toHaveLength(3);
    expect(gate.isOpen).toBe(true);
  });

  it('replays what left before settle, and nothing after close', () => {
    const out: NegotiationMessage[] = [];
    const gate = new HeldSignals((m) => out.push(m));
    gate.send({ description: offer });
    gate.open();
    gate.send({ candidate });
    gate.replay();
    expect(out).toEqual([
      { description: offer },
      { candidate },
      { description: offer },
      { candidate },
    ]);
    gate.settle();
    out.length = 0;
    gate.replay();
    expect(out).toEqual([]);
    gate.close();
    gate.send({ candidate });
    gate.open();
    expect(out).toEqual([]);
  });

  it('drops what it holds when closed before opening (declined, cancelled, timed out)', () => {
    const out: NegotiationMessage[] = [];
    const gate = new HeldSignals((m) => out.push(m));
    gate.send({ description: offer });
    gate.close();
    gate.open();
    expect(out).toEqual([]);
    expect(gate.isOpen).toBe(false);
  });
});

describe('RingingNegotiation (the callee while it rings)', () => {
  function setup() {
    const pc = new FakeRtcPeer({});
    const sent: NegotiationMessage[] = [];
    const ringing = new RingingNegotiation(pc, (m) => sent.push(m));
    return { pc, sent, ringing };
  }

  it('applies and answers the offer before Accept, but sends nothing and hands ICE no candidate', async () => {
    const { pc, sent, ringing } = setup();
    expect(await ringing.receive({ description: offer })).toBe(true);
    expect(await ringing.receive({ candidate })).toBe(true);
    expect(pc.remoteDescription).toEqual(offer);
    expect(pc.signalingState).toBe('stable');
    expect(pc.localDescription).toEqual({ type: 'answer', sdp: 'answer' });
    expect(pc.candidates).toEqual([]);
    expect(sent).toEqual([]);
    expect(ringing.hasOffer).toBe(true);
    expect(ringing.answered).toBe(true);
    expect(ringing.heldCandidateCount).toBe(1);
  });

  it('keeps the candidates an offer carries away from ICE until Accept', async () => {
    const { pc, ringing } = setup();
    const sdp = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=mid:0',
      'a=candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host',
      'a=end-of-candidates',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:1',
      'a=candidate:2 1 udp 2122260223 192.0.2.1 5002 typ host',
      '',
    ].join('\r\n');
    await ringing.receive({ description: { type: 'offer', sdp } });
    expect(pc.remoteDescription?.sdp).not.toContain('a=candidate');
    expect(pc.remoteDescription?.sdp).not.toContain('end-of-candidates');
    expect(pc.remoteDescription?.sdp).toContain('a=mid:1');
    expect(pc.candidates).toEqual([]);
    expect(ringing.heldCandidateCount).toBe(2);
    await ringing.answerNow();
    expect(pc.candidates).toEqual([
      {
        candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host',
        sdpMLineIndex: 0,
        sdpMid: '0',
      },
      {
        candidate: 'candidate:2 1 udp 2122260223 192.0.2.1 5002 typ host',
        sdpMLineIndex: 1,
        sdpMid: '1',
      },
    ]);
  });

  it('on Accept sends the answer, then gives ICE the held candidates; later messages are not its own', async () => {
    const { pc, sent, ringing } = setup();
    await ringing.receive({ description: offer });
    await ringing.receive({ candidate });
    await ringing.accept();
    expect(ringing.phase).toBe('accepted');
    expect(sent).toEqual([{ description: { type: 'answer', sdp: 'answer' } }]);
    expect(pc.signalingState).toBe('stable');
    expect(pc.candidates).toEqual([candidate]);
    expect(ringing.heldCandidateCount).toBe(0);
    expect(await ringing.receive({ candidate })).toBe(false);
    await ringing.accept();
    expect(sent).toHaveLength(1);
  });

  it('accepting without an offer sends nothing (the caller is asked to resend it)', async () => {
    const { pc, sent, ringing } = setup();
    await ringing.accept();
    expect(ringing.hasOffer).toBe(false);
    expect(sent).toEqual([]);
    expect(pc.localDescription).toBeNull();
  });

  it('after close it swallows messages and never answers', async () => {
    const { pc, sent, ringing } = setup();
    await ringing.receive({ candidate });
    ringing.close();
    expect(await ringing.receive({ description: offer })).toBe(true);
    await ringing.accept();
    expect(pc.remoteDescription).toBeNull();
    expect(sent).toEqual([]);
    expect(ringing.heldCandidateCount).toBe(0);
  });
});

describe('RingingNegotiation.answerNow (the answer that travels with call:accept)', () => {
  afterEach(() => jest.useRealTimers());

  /** A connection whose pooled candidates land in its description a moment after it is set. */
  class GatheringPeer extends FakeRtcPeer {
    iceGatheringState: RTCIceGatheringState = 'new';
    override setLocalDescription(): Promise<void> {
      const done = super.setLocalDescription();
      this.iceGatheringState = 'gathering';
      setTimeout(() => {
        this.localDescription = { type: 'answer', sdp: 'answer\r\na=candidate:relay' };
        this.iceGatheringState = 'complete';
        this.dispatchEvent(new Event('icegatheringstatechange'));
      }, 5);
      return done;
    }
  }

  it('returns the answer with the candidates gathered while ringing, and sends nothing itself', async () => {
    jest.useFakeTimers();
    const pc = new GatheringPeer({});
    const sent: NegotiationMessage[] = [];
    const ringing = new RingingNegotiation(pc, (m) => sent.push(m), true);
    await ringing.receive({ description: offer });
    await ringing.receive({ candidate });
    const answering = ringing.answerNow();
    await jest.advanceTimersByTimeAsync(5);
    expect(await answering).toEqual({ type: 'answer', sdp: 'answer\r\na=candidate:relay' });
    expect(pc.candidates).toEqual([candidate]);
    expect(sent).toEqual([]);
    expect(ringing.phase).toBe('accepted');
    // Accepting again (the acknowledgement) sends no second answer.
    await ringing.accept();
    expect(sent).toEqual([]);
  });

  it("keeps the answer when this side's own renegotiation replaces the description at once (voice call)", async () => {
    const pc = new FakeRtcPeer({});
    const ringing = new RingingNegotiation(pc, () => undefined, true);
    await ringing.receive({ description: offer });
    await ringing.receive({ candidate });
    // negotiationneeded after the answer: the negotiator offers before answerNow returns.
    const addIceCandidate = pc.addIceCandidate.bind(pc);
    pc.addIceCandidate = async (c) => {
      pc.localDescription = { type: 'offer', sdp: 'renegotiation' };
      pc.signalingState = 'have-local-offer';
      await addIceCandidate(c);
    };
    expect(await ringing.answerNow()).toEqual({ type: 'answer', sdp: 'answer' });
  });

  it('does not wait when a relay candidate is already in the answer (gathered while ringing)', async () => {
    jest.useFakeTimers();
    const pc = new FakeRtcPeer({});
    const sdp = 'answer\r\na=candidate:1 1 udp 1 198.51.100.7 5000 typ relay raddr 0.0.0.0 rport 0';
    pc.setLocalDescription = function (this: FakeRtcPeer) {
      this.localDescription = { type: 'answer', sdp };
      this.signalingState = 'stable';
      return Promise.resolve();
    };
    Object.assign(pc, { iceGatheringState: 'gathering' });
    const ringing = new RingingNegotiation(pc, () => undefined, true);
    await ringing.receive({ description: offer });
    let answer: RTCSessionDescriptionInit | null | undefined;
    void ringing.answerNow().then((a) => (answer = a));
    await jest.advanceTimersByTimeAsync(0);
    expect(answer).toEqual({ type: 'answer', sdp });
  });

  it('does not wait for them when not relay-only (checks find the way without)', async () => {
    jest.useFakeTimers();
    const pc = new GatheringPeer({});
    const ringing = new RingingNegotiation(pc, () => undefined);
    await ringing.receive({ description: offer });
    expect(await ringing.answerNow()).toEqual({ type: 'answer', sdp: 'answer' });
  });

  it(`waits at most ${ANSWER_CANDIDATES_WAIT_MS} ms for them`, async () => {
    jest.useFakeTimers();
    const pc = new GatheringPeer({});
    pc.setLocalDescription = function (this: GatheringPeer) {
      this.iceGatheringState = 'gathering';
      return FakeRtcPeer.prototype.setLocalDescription.call(this);
    };
    const ringing = new RingingNegotiation(pc, () => undefined, true);
    await ringing.receive({ description: offer });
    let answer: RTCSessionDescriptionInit | null | undefined;
    void ringing.answerNow().then((a) => (answer = a));
    await jest.advanceTimersByTimeAsync(ANSWER_CANDIDATES_WAIT_MS - 1);
    expect(answer).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(answer).toEqual({ type: 'answer', sdp: 'answer' });
  });
});
