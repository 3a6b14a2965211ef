import { jest } from '@jest/globals';
import type { CallRole } from '@callgate/protocol';

import { CallNegotiation, type NegotiatingSession } from './call-negotiation';
import type { NegotiationMessage } from './perfect-negotiation';
import { FakeRtcPeer } from './testing/fake-rtc';

const offer = { type: 'offer', sdp: 'remote-offer' } as const;
const answer = { type: 'answer', sdp: 'remote-answer' } as const;
const ice = (n: number) => ({ candidate: `candidate:${n} 1 udp 1 192.0.2.1 3478 typ relay` });
/** One trickled candidate, as a negotiation message. */
const candidate = (n: number): NegotiationMessage => ({ candidate: ice(n) });

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A session whose `handle` records each message, finishing when the test says so. */
function fakeSession() {
  const pc = new FakeRtcPeer({});
  const started: NegotiationMessage[] = [];
  const handled: NegotiationMessage[] = [];
  let gate: Promise<void> = Promise.resolve();
  const session = {
    pc: pc as unknown as RTCPeerConnection,
    relayOnly: false,
    handle: async (message: NegotiationMessage) => {
      started.push(message);
      await gate;
      handled.push(message);
    },
  } satisfies NegotiatingSession;
  const hold = () => {
    const held = Promise.withResolvers<void>();
    gate = held.promise;
    return () => held.resolve();
  };
  return { session, pc, started, handled, hold };
}

function setup(role: CallRole) {
  const delivered: NegotiationMessage[] = [];
  let closed = false;
  const onAnswered = jest.fn();
  const negotiation = new CallNegotiation({
    role,
    deliver: (message) => delivered.push(message),
    closed: () => closed,
    onAnswered,
  });
  return { negotiation, delivered, onAnswered, close: () => (closed = true) };
}

describe('CallNegotiation', () => {
  it('applies signals strictly one at a time, in order, each waiting for the connection', async () => {
    const { negotiation } = setup('caller');
    const { session, started, handled, hold } = fakeSession();
    const first = negotiation.handleSignal(candidate(1));
    const second = negotiation.handleSignal(candidate(2));
    await flush();
    expect(handled).toEqual([]);
    const release = hold();
    negotiation.sessionCreated(session);
    await flush();
    // The first one is still being applied: the second has not started.
    expect(started).toEqual([candidate(1)]);
    expect(handled).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(handled).toEqual([candidate(1), candidate(2)]);
  });

  it('caller: what the connection sends is held until the call has its id, then leaves in order', () => {
    const { negotiation, delivered } = setup('caller');
    negotiation.send({ description: offer });
    negotiation.send(candidate(1));
    expect(delivered).toEqual([]);
    negotiation.attached();
    negotiation.send(candidate(2));
    expect(delivered).toEqual([{ description: offer }, candidate(1), candidate(2)]);
  });

  it('caller: answer(true) sends the offer and candidates again for a tab that missed them', async () => {
    const { negotiation, delivered, onAnswered } = setup('caller');
    negotiation.attached();
    negotiation.send({ description: offer });
    await negotiation.answer(true);
    expect(delivered).toEqual([{ description: offer }, { description: offer }]);
    expect(onAnswered).toHaveBeenCalledTimes(1);
    // Settled: a later answer has nothing to replay.
    await negotiation.answer(true);
    expect(delivered).toHaveLength(2);
  });

  it('callee: nothing leaves before the answer, the offer is answered while ringing, and sent at the answer', async () => {
    const { negotiation, delivered, onAnswered } = setup('callee');
    const { session, pc, handled } = fakeSession();
    negotiation.attached(); // the callee's id is known from the ring: still held
    negotiation.sessionCreated(session);
    await negotiation.handleSignal({ description: offer });
    await negotiation.handleSignal(candidate(1));
    negotiation.send(candidate(9));
    expect(pc.localDescription).toEqual({ type: 'answer', sdp: 'answer' });
    expect(pc.candidates).toEqual([]);
    expect(handled).toEqual([]);
    expect(delivered).toEqual([]);
    expect(onAnswered).not.toHaveBeenCalled();
    await negotiation.answer(false);
    expect(onAnswered).toHaveBeenCalledTimes(1);
    expect(delivered).toEqual([candidate(9), { description: { type: 'answer', sdp: 'answer' } }]);
    expect(pc.candidates).toEqual([ice(1)]);
    // Answered: later messages take the regular negotiation.
    await negotiation.handleSignal(candidate(2));
    expect(handled).toEqual([candidate(2)]);
  });

  it('callee: prepareAnswer returns the ringing answer for call:accept, and says when there is no offer', async () => {
    const withOffer = setup('callee');
    const a = fakeSession();
    withOffer.negotiation.sessionCreated(a.session);
    await withOffer.negotiation.handleSignal({ description: offer });
    expect(await withOffer.negotiation.prepareAnswer()).toEqual({
      hasOffer: true,
      answer: { type: 'answer', sdp: 'answer' },
    });
    expect(withOffer.delivered).toEqual([]);

    const without = setup('callee');
    without.negotiation.sessionCreated(fakeSession().session);
    expect(await without.negotiation.prepareAnswer()).toEqual({ hasOffer: false });
  });

  it('ignores the signal copy of the answer applied from call:accepted, once', async () => {
    const { negotiation } = setup('caller');
    const { session, handled } = fakeSession();
    negotiation.sessionCreated(session);
    await negotiation.applyAcceptedAnswer(answer);
    await negotiation.handleSignal({ description: answer });
    expect(handled).toEqual([{ description: answer }]);
    await negotiation.handleSignal({ description: answer });
    expect(handled).toEqual([{ description: answer }, { description: answer }]);
  });

  it('drops what waited for a connection that was closed; after a rejoin signals wait for the next one', async () => {
    const { negotiation } = setup('caller');
    const waiting = negotiation.handleSignal(candidate(1));
    negotiation.sessionClosed();
    await waiting;
    negotiation.expectSession();
    const next = negotiation.handleSignal(candidate(2));
    const { session, handled } = fakeSession();
    await flush();
    negotiation.sessionCreated(session);
    await next;
    expect(handled).toEqual([candidate(2)]);
  });

  it('accepts signals unless held for a rejoin or closed', () => {
    const { negotiation, close } = setup('caller');
    expect(negotiation.acceptsSignals).toBe(true);
    negotiation.holdSignals();
    expect(negotiation.acceptsSignals).toBe(false);
    negotiation.acceptSignals();
    expect(negotiation.acceptsSignals).toBe(true);
    close();
    expect(negotiation.acceptsSignals).toBe(false);
  });

  it('resumed answered (rejoin): nothing is held and the next connection is not a ringing one', async () => {
    const { negotiation, delivered, onAnswered } = setup('callee');
    negotiation.resumeAnswered();
    expect(onAnswered).toHaveBeenCalledTimes(1);
    const { session, handled } = fakeSession();
    negotiation.sessionCreated(session);
    await negotiation.handleSignal({ description: offer });
    expect(handled).toEqual([{ description: offer }]);
    negotiation.send(candidate(3));
    expect(delivered).toEqual([candidate(3)]);
  });

  it('once the call is closed nothing is applied, sent or answered', async () => {
    const { negotiation, delivered, onAnswered, close } = setup('caller');
    const { session, handled } = fakeSession();
    negotiation.attached();
    negotiation.sessionCreated(session);
    close();
    negotiation.close();
    negotiation.send({ description: offer });
    await negotiation.handleSignal(candidate(1));
    await negotiation.answer(true);
    negotiation.resumeAnswered();
    expect(handled).toEqual([]);
    expect(delivered).toEqual([]);
    expect(onAnswered).not.toHaveBeenCalled();
  });
});
