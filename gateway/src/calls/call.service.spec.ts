import { Logger } from '@nestjs/common';
import type { ServerEventName, UserSummary } from '@callgate/protocol';
import { CallgateError } from '../common/callgate-error';
import { MetricsService } from '../metrics/metrics.service';
import type { PresenceService } from '../presence/presence.service';
import { testConfig } from '../testing/test-config';
import type { CallHistoryService, FinishedCall } from './call-history.service';
import type { CallNotifier } from './call-notifier';
import type { CallMember } from './call-session';
import { CallService, DEADLINE_POLL_MS } from './call.service';
import { InMemoryCallSessionStore } from './in-memory-call-session.store';

interface Sent {
  to: string;
  event: ServerEventName;
  payload: unknown;
}

/** The presence CallService reads, in memory; `kill` makes a socket's replica look dead. */
class FakePresence {
  private readonly users = new Map<string, { summary: UserSummary; sockets: string[] }>();
  private readonly dead = new Set<string>();

  connect(summary: UserSummary, socketId: string): void {
    const user = this.users.get(summary.id) ?? { summary, sockets: [] };
    user.sockets.push(socketId);
    this.users.set(summary.id, user);
  }
  disconnect(userId: string, socketId: string): number {
    const user = this.users.get(userId);
    if (user === undefined) return 0;
    user.sockets = user.sockets.filter((id) => id !== socketId);
    if (user.sockets.length === 0) this.users.delete(userId);
    return user.sockets.length;
  }
  kill(socketId: string): void {
    this.dead.add(socketId);
  }
  socketsOf(userId: string): string[] {
    return this.users.get(userId)?.sockets ?? [];
  }
  summary(userId: string): Promise<UserSummary | undefined> {
    return Promise.resolve(this.users.get(userId)?.summary);
  }
  connectionCount(userId: string): Promise<number> {
    return Promise.resolve(this.socketsOf(userId).length);
  }
  isSocketLive(userId: string, socketId: string): Promise<boolean> {
    return Promise.resolve(this.socketsOf(userId).includes(socketId) && !this.dead.has(socketId));
  }
  hasSocket(userId: string, socketId: string): Promise<boolean> {
    return Promise.resolve(this.socketsOf(userId).includes(socketId));
  }
  newestSocket(userId: string): Promise<string | undefined> {
    return Promise.resolve(this.socketsOf(userId).at(-1));
  }
}

/** Resolves user rooms to the sockets presence knows, like socket.io would. */
class RecordingNotifier implements CallNotifier {
  readonly sent: Sent[] = [];
  constructor(private readonly presence: FakePresence) {}
  toUser(userId: string, event: ServerEventName, payload: unknown, exceptSocketId?: string): void {
    for (const socketId of this.presence.socketsOf(userId)) {
      if (socketId !== exceptSocketId) this.sent.push({ to: socketId, event, payload });
    }
  }
  toSocket(socketId: string, event: ServerEventName, payload: unknown): void {
    this.sent.push({ to: socketId, event, payload });
  }
  take(): Sent[] {
    return this.sent.splice(0);
  }
}

const alice: UserSummary = {
  id: '00000000-0000-4000-8000-00000000000a',
  username: 'alice',
  displayName: 'Alice',
};
const bob: UserSummary = {
  id: '00000000-0000-4000-8000-00000000000b',
  username: 'bob',
  displayName: 'Bob',
};
const carol: UserSummary = {
  id: '00000000-0000-4000-8000-00000000000c',
  username: 'carol',
  displayName: 'Carol',
};

const RING_MS = 5000;
const GRACE_MS = 500;

describe('CallService (call state machine)', () => {
  let presence: FakePresence;
  let emitter: RecordingNotifier;
  let recorded: FinishedCall[];
  let service: CallService;

  function connect(user: UserSummary, socketId: string): CallMember {
    presence.connect(user, socketId);
    return { userId: user.id, socketId, summary: user };
  }

  /** Alice (tab a1) called Bob (tab b1) and he answered. */
  async function answeredCall(): Promise<{ a: CallMember; b: CallMember; callId: string }> {
    const a = connect(alice, 'a1');
    const b = connect(bob, 'b1');
    const { callId } = await service.invite(a, bob.id);
    await service.accept(b, callId);
    return { a, b, callId };
  }

  async function disconnect(who: CallMember): Promise<void> {
    await service.socketDisconnected(who, presence.disconnect(who.userId, who.socketId));
  }

  async function expectRefusal(work: Promise<unknown>, code: string): Promise<void> {
    await expect(work).rejects.toBeInstanceOf(CallgateError);
    await expect(work).rejects.toMatchObject({ code });
  }

  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  beforeEach(() => {
    jest.useFakeTimers();
    presence = new FakePresence();
    emitter = new RecordingNotifier(presence);
    recorded = [];
    const history = {
      record: (call: FinishedCall) => recorded.push(call),
    } as unknown as CallHistoryService;
    service = new CallService(
      new InMemoryCallSessionStore(),
      emitter,
      testConfig({ RING_TIMEOUT_MS: String(RING_MS), RECONNECT_GRACE_MS: String(GRACE_MS) }),
      presence as unknown as PresenceService,
      history,
      new MetricsService(),
    );
    service.onApplicationBootstrap();
  });

  afterEach(() => {
    service.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('rings every tab of the callee, connects the first tab to accept, ends the others', async () => {
    const a = connect(alice, 'a1');
    const b1 = connect(bob, 'b1');
    const b2 = connect(bob, 'b2');
    const { callId } = await service.invite(a, bob.id);
    expect(emitter.take()).toEqual([
      { to: 'b1', event: 'call:incoming', payload: { callId, from: alice, video: true } },
      { to: 'b2', event: 'call:incoming', payload: { callId, from: alice, video: true } },
    ]);
    await service.accept(b2, callId);
    expect(emitter.take()).toEqual([
      { to: 'a1', event: 'call:accepted', payload: { callId, role: 'caller' } },
      { to: 'b2', event: 'call:accepted', payload: { callId, role: 'callee' } },
      { to: 'b1', event: 'call:ended', payload: { callId, reason: 'answered_elsewhere' } },
    ]);
    await expectRefusal(service.accept(b1, callId), 'conflict');
  });

  it('relays signals only between the two tabs that carry the call', async () => {
    const a = connect(alice, 'a1');
    const b = connect(bob, 'b1');
    const bOther = connect(bob, 'b2');
    const c = connect(carol, 'c1');
    const { callId } = await service.invite(a, bob.id);
    await service.accept(b, callId);
    emitter.take();

    await service.signal(a, { callId, description: { type: 'offer', sdp: 'v=0' } });
    await service.signal(b, {
      callId,
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host' },
    });
    await service.signal(b, { callId, candidate: null });
    expect(emitter.take()).toEqual([
      {
        to: 'b1',
        event: 'signal',
        payload: { callId, from: alice.id, description: { type: 'offer', sdp: 'v=0' } },
      },
      {
        to: 'a1',
        event: 'signal',
        payload: {
          callId,
          from: bob.id,
          candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host' },
        },
      },
      { to: 'a1', event: 'signal', payload: { callId, from: bob.id, candidate: null } },
    ]);

    await expectRefusal(
      service.signal(c, { callId, description: { type: 'offer', sdp: 'x' } }),
      'forbidden',
    );
    await expectRefusal(service.signal(bOther, { callId, candidate: null }), 'forbidden');
    await expectRefusal(service.hangup(c, callId), 'forbidden');
    await expectRefusal(service.accept(c, callId), 'forbidden');
    expect(emitter.take()).toEqual([]);
  });

  it("while ringing relays the caller's offer and candidates to every ringing tab, nothing of the callee's", async () => {
    const a = connect(alice, 'a1');
    const aOther = connect(alice, 'a2');
    const b1 = connect(bob, 'b1');
    const b2 = connect(bob, 'b2');
    const { callId } = await service.invite(a, bob.id);
    emitter.take();
    const offer = { type: 'offer', sdp: 'v=0' } as const;
    const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ relay' };
    await service.signal(a, { callId, description: offer });
    await service.signal(a, { callId, candidate });
    expect(emitter.take()).toEqual([
      { to: 'b1', event: 'signal', payload: { callId, from: alice.id, description: offer } },
      { to: 'b2', event: 'signal', payload: { callId, from: alice.id, description: offer } },
      { to: 'b1', event: 'signal', payload: { callId, from: alice.id, candidate } },
      { to: 'b2', event: 'signal', payload: { callId, from: alice.id, candidate } },
    ]);
    // The callee's answer and candidates wait for the accept; the caller's other tab
    // never speaks for the call.
    await expectRefusal(
      service.signal(b1, { callId, description: { type: 'answer', sdp: 'v=0' } }),
      'conflict',
    );
    await expectRefusal(service.signal(b2, { callId, candidate }), 'conflict');
    await expectRefusal(service.signal(aOther, { callId, candidate }), 'forbidden');
    expect(emitter.take()).toEqual([]);

    await service.accept(b2, callId);
    expect(emitter.take()[0]).toEqual({
      to: 'a1',
      event: 'call:accepted',
      payload: { callId, role: 'caller' },
    });
    await service.signal(b2, { callId, description: { type: 'answer', sdp: 'v=0' } });
    await service.signal(a, { callId, candidate });
    expect(emitter.take()).toEqual([
      {
        to: 'a1',
        event: 'signal',
        payload: { callId, from: bob.id, description: { type: 'answer', sdp: 'v=0' } },
      },
      { to: 'b2', event: 'signal', payload: { callId, from: alice.id, candidate } },
    ]);
    await expectRefusal(service.signal(b1, { callId, candidate }), 'forbidden');
  });

  it('asks the caller to send its offer again when the accepting tab missed it', async () => {
    const a = connect(alice, 'a1');
    const b = connect(bob, 'b1');
    const { callId } = await service.invite(a, bob.id);
    emitter.take();
    await service.accept(b, callId, { hasOffer: false });
    expect(emitter.take()).toEqual([
      { to: 'a1', event: 'call:accepted', payload: { callId, role: 'caller', resendOffer: true } },
      { to: 'b1', event: 'call:accepted', payload: { callId, role: 'callee' } },
    ]);
  });

  it('hands the answer that came with the accept to the caller in call:accepted, and again as a signal', async () => {
    const a = connect(alice, 'a1');
    const b = connect(bob, 'b1');
    const { callId } = await service.invite(a, bob.id);
    emitter.take();
    const answer = { type: 'answer' as const, sdp: 'v=0' };
    await service.accept(b, callId, { hasOffer: true, answer });
    expect(emitter.take()).toEqual([
      { to: 'a1', event: 'call:accepted', payload: { callId, role: 'caller', answer } },
      { to: 'a1', event: 'signal', payload: { callId, from: bob.id, description: answer } },
      { to: 'b1', event: 'call:accepted', payload: { callId, role: 'callee' } },
    ]);
    // A refused accept relays nothing: the answer of a tab that lost the race stays there.
    const b2 = connect(bob, 'b2');
    await expectRefusal(service.accept(b2, callId, { hasOffer: true, answer }), 'conflict');
    expect(emitter.take()).toEqual([]);
  });

  it('hangup of an answered call ends it for both with "hangup" and records it', async () => {
    const { a, b, callId } = await answeredCall();
    emitter.take();
    await service.hangup(b, callId);
    expect(emitter.take()).toEqual([
      { to: 'a1', event: 'call:ended', payload: { callId, reason: 'hangup' } },
      { to: 'b1', event: 'call:ended', payload: { callId, reason: 'hangup' } },
    ]);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      id: callId,
      callerId: alice.id,
      calleeId: bob.id,
      reason: 'hangup',
    });
    expect(recorded[0]!.answeredAt).not.toBeNull();
    await expectRefusal(service.hangup(a, callId), 'not_found');
  });

  it('decline by the callee ends the ringing call with "declined"', async () => {
    const a = connect(alice, 'a1');
    const b = connect(bob, 'b1');
    const { callId } = await service.invite(a, bob.id);
    emitter.take();
    await expectRefusal(service.decline(a, callId), 'forbidden');
    await service.decline(b, callId);
    expect(emitter.take()).toEqual([
      { to: 'a1', event: 'call:ended', payload: { callId, reason: 'declined' } },
      { to: 'b1', event: 'call:ended', payload: { callId, reason: 'declined' } },
    ]);
    expect(recorded[0]).toMatchObject({ reason: 'declined', answeredAt: null });
  });

  it('the caller hanging up while it rings is "cancelled"', async () => {
    const a = connect(alice, 'a1');
    connect(bob, 'b1');
    const { callId } = await service.invite(a, bob.id);
    emitter.take();
    await service.hangup(a, callId);
    expect(emitter.take().map((sent) => [sent.to, sent.payload])).toEqual([
      ['a1', { callId, reason: 'cancelled' }],
      ['b1', { callId, reason: 'cancelled' }],
    ]);
  });

  it('an unanswered call ends with "timeout" after the ring timeout and is recorded', async () => {
    const a = connect(alice, 'a1');
    connect(bob, 'b1');
    const { callId } = await service.invite(a, bob.id);
    emitter.take();
    await jest.advanceTimersByTimeAsync(RING_MS - DEADLINE_POLL_MS);
    expect(emitter.take()).toEqual([]);
    await jest.advanceTimersByTimeAsync(2 * DEADLINE_POLL_MS);
    expect(emitter.take().map((sent) => [sent.to, sent.event, sent.payload])).toEqual([
      ['a1', 'call:ended', { callId, reason: 'timeout' }],
      ['b1', 'call:ended', { callId, reason: 'timeout' }],
    ]);
    expect(recorded[0]).toMatchObject({ reason: 'timeout', answeredAt: null });
  });

  it('inviting someone who is in another call gives the caller "busy"', async () => {
    const a = connect(alice, 'a1');
    const b = connect(bob, 'b1');
    const c = connect(carol, 'c1');
    const first = await service.invite(a, bob.id);
    await service.accept(b, first.callId);
    emitter.take();
    const { callId } = await service.invite(c, bob.id);
    expect(callId).not.toBe(first.callId);
    await jest.advanceTimersByTimeAsync(0);
    expect(emitter.take()).toEqual([
      { to: 'c1', event: 'call:ended', payload: { callId, reason: 'busy' } },
    ]);
    expect(recorded[0]).toMatchObject({
      id: callId,
      callerId: carol.id,
      calleeId: bob.id,
      reason: 'busy',
    });
    // Bob's call is untouched.
    await service.signal(a, { callId: first.callId, candidate: null });
    expect(emitter.take()).toHaveLength(1);
  });

  it('crossing invites between the same two people become one call', async () => {
    const a = connect(alice, 'a1');
    const b = connect(bob, 'b1');
    const fromAlice = service.invite(a, bob.id);
    const fromBob = service.invite(b, alice.id);
    const [first, second] = await Promise.all([fromAlice, fromBob]);
    expect(second.callId).toBe(first.callId);
    const callId = first.callId;
    expect(emitter.take()).toEqual([
      { to: 'b1', event: 'call:incoming', payload: { callId, from: alice, video: true } },
      { to: 'a1', event: 'call:accepted', payload: { callId, role: 'caller' } },
      { to: 'b1', event: 'call:accepted', payload: { callId, role: 'callee' } },
    ]);
    await service.signal(b, { callId, candidate: null });
    expect(emitter.take()).toEqual([
      { to: 'a1', event: 'signal', payload: { callId, from: bob.id, candidate: null } },
    ]);
  });

  it('refuses calling yourself, offline people, and a second call', async () => {
    const a = connect(alice, 'a1');
    connect(bob, 'b1');
    await expectRefusal(service.invite(a, alice.id), 'invalid_payload');
    await expectRefusal(service.invite(a, carol.id), 'not_found');
    await service.invite(a, bob.id);
    connect(carol, 'c1');
    await expectRefusal(service.invite(a, carol.id), 'conflict');
    await expectRefusal(service.accept(a, '11111111-1111-4111-8111-111111111111'), 'not_found');
  });

  it('a member whose call tab drops is "disconnected" after the grace period', async () => {
    const { a, b, callId } = await answeredCall();
    emitter.take();
    await disconnect(b);
    await expectRefusal(service.signal(a, { callId, candidate: null }), 'conflict');
    await jest.advanceTimersByTimeAsync(GRACE_MS + DEADLINE_POLL_MS);
    expect(emitter.take()).toEqual([
      { to: 'a1', event: 'call:ended', payload: { callId, reason: 'disconnected' } },
    ]);
    expect(recorded[0]).toMatchObject({ reason: 'disconnected' });
  });

  it('a member who reconnects within the grace period resumes the call on the new socket', async () => {
    const { a, b, callId } = await answeredCall();
    emitter.take();
    await disconnect(a);
    await jest.advanceTimersByTimeAsync(GRACE_MS - 100);
    const aAgain = connect(alice, 'a2');
    await service.socketConnected(aAgain);
    expect(emitter.take()).toEqual([
      {
        to: 'a2',
        event: 'call:resume',
        payload: { callId, peer: bob, role: 'caller', phase: 'active', video: true },
      },
    ]);
    await jest.advanceTimersByTimeAsync(GRACE_MS * 2);
    expect(emitter.take()).toEqual([]);
    await service.signal(b, { callId, candidate: null });
    expect(emitter.take()).toEqual([
      { to: 'a2', event: 'signal', payload: { callId, from: bob.id, candidate: null } },
    ]);
  });

  it('a voice call rings as one (video: false) and resumes as one', async () => {
    const a = connect(alice, 'a1');
    const b = connect(bob, 'b1');
    const { callId } = await service.invite(a, bob.id, false);
    expect(emitter.take()).toEqual([
      { to: 'b1', event: 'call:incoming', payload: { callId, from: alice, video: false } },
    ]);
    await service.socketConnected(connect(bob, 'b2'));
    expect(emitter.take()).toEqual([
      {
        to: 'b2',
        event: 'call:resume',
        payload: { callId, peer: alice, role: 'callee', phase: 'ringing', video: false },
      },
    ]);
    await service.accept(b, callId);
  });

  it('a member back within the grace period rejoins: the other member is told to renegotiate', async () => {
    const a = connect(alice, 'a1');
    const b = connect(bob, 'b1');
    const { callId } = await service.invite(a, bob.id);
    await expectRefusal(service.rejoin(a, callId), 'conflict'); // still ringing
    await service.accept(b, callId);
    emitter.take();
    await disconnect(b);
    const bAgain = connect(bob, 'b2');
    await service.socketConnected(bAgain);
    emitter.take();
    await expectRefusal(service.rejoin(b, callId), 'forbidden'); // the old, closed tab
    await expectRefusal(service.rejoin(connect(carol, 'c1'), callId), 'forbidden');
    await service.rejoin(bAgain, callId);
    expect(emitter.take()).toEqual([
      { to: 'a1', event: 'call:peer-rejoined', payload: { callId } },
    ]);
    await disconnect(a);
    await expectRefusal(service.rejoin(bAgain, callId), 'conflict'); // alice is away now
    expect(emitter.take()).toEqual([]);
  });

  it("a reload whose new socket connects before the old one's close is seen: the close hands the call over, and the rejoin works", async () => {
    const { a, b, callId } = await answeredCall();
    emitter.take();
    // The reloaded page's socket (maybe on another replica) finds a1 still live: nothing.
    const a2 = connect(alice, 'a2');
    await service.socketConnected(a2);
    expect(emitter.take()).toEqual([]);
    await disconnect(a);
    expect(emitter.take()).toEqual([
      {
        to: 'a2',
        event: 'call:resume',
        payload: { callId, peer: bob, role: 'caller', phase: 'active', video: true },
      },
    ]);
    await service.rejoin(a2, callId);
    expect(emitter.take()).toEqual([
      { to: 'b1', event: 'call:peer-rejoined', payload: { callId } },
    ]);
    // No grace deadline was left behind: the call lives on.
    await jest.advanceTimersByTimeAsync(GRACE_MS * 2 + DEADLINE_POLL_MS);
    expect(emitter.take()).toEqual([]);
    await service.signal(b, { callId, candidate: null });
    expect(emitter.take()).toEqual([
      { to: 'a2', event: 'signal', payload: { callId, from: bob.id, candidate: null } },
    ]);
  });

  it('a second tab that closes before the call reaches it leaves the grace period running', async () => {
    const { a, callId } = await answeredCall();
    connect(alice, 'a2');
    emitter.take();
    // a2 closes between being chosen as the heir and taking the call (its own close found
    // nothing to detach): the call must not stay carried by a dead socket.
    const newest = presence.newestSocket.bind(presence);
    jest.spyOn(presence, 'newestSocket').mockImplementationOnce(async (userId) => {
      const heir = await newest(userId);
      presence.disconnect(alice.id, 'a2');
      return heir;
    });
    await disconnect(a);
    expect(emitter.take()).toEqual([]);
    await jest.advanceTimersByTimeAsync(GRACE_MS + DEADLINE_POLL_MS);
    expect(emitter.take()).toEqual([
      { to: 'b1', event: 'call:ended', payload: { callId, reason: 'disconnected' } },
    ]);
  });

  it('a new tab of a user whose call lives in another tab gets nothing; a ringing callee tab is told', async () => {
    const a = connect(alice, 'a1');
    const b = connect(bob, 'b1');
    const { callId } = await service.invite(a, bob.id);
    emitter.take();
    const b2 = connect(bob, 'b2');
    await service.socketConnected(b2);
    expect(emitter.take()).toEqual([
      {
        to: 'b2',
        event: 'call:resume',
        payload: { callId, peer: alice, role: 'callee', phase: 'ringing', video: true },
      },
    ]);
    await service.accept(b, callId);
    emitter.take();
    await service.socketConnected(connect(alice, 'a3'));
    expect(emitter.take()).toEqual([]);
  });

  it('a ringing callee whose every tab drops gets the grace period, then "disconnected"', async () => {
    const a = connect(alice, 'a1');
    const b1 = connect(bob, 'b1');
    const b2 = connect(bob, 'b2');
    const { callId } = await service.invite(a, bob.id);
    emitter.take();
    await disconnect(b1);
    await jest.advanceTimersByTimeAsync(GRACE_MS * 2);
    expect(emitter.take()).toEqual([]);
    await disconnect(b2);
    await jest.advanceTimersByTimeAsync(GRACE_MS + DEADLINE_POLL_MS);
    expect(emitter.take()).toEqual([
      { to: 'a1', event: 'call:ended', payload: { callId, reason: 'disconnected' } },
    ]);
  });

  it('a new socket takes over a call whose carrying socket sits on a dead replica', async () => {
    const { b, callId } = await answeredCall();
    emitter.take();
    // a1 is still registered (its replica has not been reaped yet) but is not live.
    presence.kill('a1');
    await service.socketConnected(connect(alice, 'a2'));
    expect(emitter.take()).toEqual([
      {
        to: 'a2',
        event: 'call:resume',
        payload: { callId, peer: bob, role: 'caller', phase: 'active', video: true },
      },
    ]);
    await service.hangup(b, callId);
    expect(emitter.take().map((sent) => [sent.to, sent.payload])).toEqual([
      ['a1', { callId, reason: 'hangup' }],
      ['a2', { callId, reason: 'hangup' }],
      ['b1', { callId, reason: 'hangup' }],
    ]);
  });

  it("a reaped carrying socket hands the call to the user's newest socket at once", async () => {
    const { a, b, callId } = await answeredCall();
    connect(alice, 'a2');
    emitter.take();
    await service.socketDisconnected(a, presence.disconnect(alice.id, 'a1'), 'a2');
    expect(emitter.take().map((sent) => [sent.to, sent.event])).toEqual([['a2', 'call:resume']]);
    await jest.advanceTimersByTimeAsync(GRACE_MS * 2);
    await service.signal(b, { callId, candidate: null });
    expect(emitter.take()).toEqual([
      { to: 'a2', event: 'signal', payload: { callId, from: bob.id, candidate: null } },
    ]);
  });

  it('orders the messages of one call while other calls proceed', async () => {
    const { a, callId } = await answeredCall();
    emitter.take();
    const sdps = Array.from({ length: 20 }, (_, i) => `v=${i}`);
    await Promise.all(
      sdps.map((sdp) => service.signal(a, { callId, description: { type: 'offer', sdp } })),
    );
    expect(
      emitter
        .take()
        .map((sent) => (sent.payload as { description: { sdp: string } }).description.sdp),
    ).toEqual(sdps);
  });
});
