import type { ClientToServerEvents } from '@callgate/protocol';
import {
  type ClientSocket,
  collect,
  connected,
  connectSocket,
  delay,
  nextEvent,
  registerUser,
  type RunningGateway,
  type TestUser,
} from './support/gateway-harness';
import { integrationSuite } from './support/integration-suite';

/**
 * Two gateway replicas on one PostgreSQL and one Redis, as `--scale gateway=2` runs them:
 * signaling, races and deadlines across replicas, and a Redis that stops answering.
 */
const RING_TIMEOUT_MS = 1500;

const suite = integrationSuite();
let one: RunningGateway;
let two: RunningGateway;

beforeAll(async () => {
  const ringTimeout = String(RING_TIMEOUT_MS);
  one = await suite.gateway({ RING_TIMEOUT_MS: ringTimeout, REPLICA_ID: 'replica-one' });
  two = await suite.gateway({ RING_TIMEOUT_MS: ringTimeout, REPLICA_ID: 'replica-two' });
});

async function open(gateway: RunningGateway, user: TestUser): Promise<ClientSocket> {
  const socket = connectSocket(gateway.baseUrl, user.token);
  suite.track(socket);
  await connected(socket);
  // The presence record is written right after the connect (one Redis round trip).
  await delay(150);
  return socket;
}

type Payload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
type AckOf<E extends keyof ClientToServerEvents> = Parameters<
  Parameters<ClientToServerEvents[E]>[1]
>[0];

function send<E extends keyof ClientToServerEvents>(
  socket: ClientSocket,
  event: E,
  payload: Payload<E>,
): Promise<AckOf<E>> {
  return new Promise((resolve) => {
    (socket.emit as (e: string, p: unknown, ack: (r: AckOf<E>) => void) => void)(
      event,
      payload,
      resolve,
    );
  });
}

describe('two gateway replicas sharing Redis', () => {
  it('names itself in /api/health', async () => {
    const health = (await (await fetch(`${two.baseUrl}/api/health`)).json()) as {
      replica: string;
      checks: { redis: string };
    };
    expect(health).toMatchObject({ replica: 'replica-two', checks: { redis: 'up' } });
  });

  it('a call from a socket on replica 1 rings, connects and relays to a socket on replica 2', async () => {
    const alice = await registerUser(one.baseUrl, 'xa');
    const bob = await registerUser(two.baseUrl, 'xb');
    const a = await open(one, alice);
    const watching = await send(a, 'presence:subscribe', { userIds: [bob.id] });
    expect(watching).toEqual({ ok: true, online: [] });
    const bobOnline = nextEvent(a, 'presence', 5000, (p) => p.userId === bob.id);
    const b = await open(two, bob);
    expect(await bobOnline).toEqual({ userId: bob.id, online: true });

    const incoming = nextEvent(b, 'call:incoming');
    const invite = await send(a, 'call:invite', { to: bob.id });
    expect(invite).toMatchObject({ ok: true });
    const callId = invite.ok ? invite.callId : '';
    expect(await incoming).toMatchObject({ callId, from: { id: alice.id } });
    const accepted = nextEvent(a, 'call:accepted');
    expect(await send(b, 'call:accept', { callId })).toEqual({ ok: true });
    expect(await accepted).toEqual({ callId, role: 'caller' });

    const atBob = nextEvent(b, 'signal');
    await send(a, 'signal', { callId, description: { type: 'offer', sdp: 'v=0\r\n' } });
    expect(await atBob).toMatchObject({ callId, from: alice.id, description: { type: 'offer' } });
    const atAlice = nextEvent(a, 'signal');
    await send(b, 'signal', { callId, candidate: null });
    expect(await atAlice).toEqual({ callId, from: bob.id, candidate: null });

    const ended = nextEvent(b, 'call:ended');
    expect(await send(a, 'call:hangup', { callId })).toEqual({ ok: true });
    expect(await ended).toEqual({ callId, reason: 'hangup' });
  });

  it('crossing invites on two replicas become one call', async () => {
    const alice = await registerUser(one.baseUrl, 'ca');
    const bob = await registerUser(two.baseUrl, 'cb');
    const a = await open(one, alice);
    const b = await open(two, bob);
    const acceptedA = nextEvent(a, 'call:accepted');
    const acceptedB = nextEvent(b, 'call:accepted');
    const [fromAlice, fromBob] = await Promise.all([
      send(a, 'call:invite', { to: bob.id }),
      send(b, 'call:invite', { to: alice.id }),
    ]);
    expect(fromAlice.ok && fromBob.ok).toBe(true);
    const callId = fromAlice.ok ? fromAlice.callId : '';
    expect(fromBob).toEqual({ ok: true, callId });
    const roles = [(await acceptedA).role, (await acceptedB).role].sort();
    expect(roles).toEqual(['callee', 'caller']);
    await send(a, 'call:hangup', { callId });
  });

  it('two tabs of the callee on different replicas accept at once: one wins, one is refused', async () => {
    const alice = await registerUser(one.baseUrl, 'ta');
    const bob = await registerUser(one.baseUrl, 'tb');
    const a = await open(one, alice);
    const b1 = await open(one, bob);
    const b2 = await open(two, bob);
    const rung = Promise.all([nextEvent(b1, 'call:incoming'), nextEvent(b2, 'call:incoming')]);
    const invite = await send(a, 'call:invite', { to: bob.id });
    const callId = invite.ok ? invite.callId : '';
    await rung;
    const acks = await Promise.all([
      send(b1, 'call:accept', { callId }),
      send(b2, 'call:accept', { callId }),
    ]);
    expect(acks.filter((ack) => ack.ok)).toHaveLength(1);
    expect(acks.filter((ack) => !ack.ok)).toMatchObject([{ error: { code: 'conflict' } }]);
    await send(a, 'call:hangup', { callId });
  });

  it('reloads that land on the other replica rejoin: the peer renegotiates, signals flow, the call lives on', async () => {
    const alice = await registerUser(one.baseUrl, 'ja');
    const bob = await registerUser(two.baseUrl, 'jb');
    const a1 = await open(one, alice);
    const b1 = await open(two, bob);
    const incoming = nextEvent(b1, 'call:incoming');
    const invite = await send(a1, 'call:invite', { to: bob.id });
    const callId = invite.ok ? invite.callId : '';
    await incoming;
    expect(await send(b1, 'call:accept', { callId })).toEqual({ ok: true });

    // Alice's reloaded page connects to replica 2 before replica 1 has seen her old socket
    // close: the new socket finds a live carrier, and the close must hand the call over.
    const a2 = await open(two, alice);
    const resumed = nextEvent(a2, 'call:resume');
    a1.disconnect();
    expect(await resumed).toMatchObject({ callId, role: 'caller', phase: 'active' });
    const bobRenegotiates = nextEvent(b1, 'call:peer-rejoined');
    expect(await send(a2, 'call:rejoin', { callId })).toEqual({ ok: true });
    expect(await bobRenegotiates).toEqual({ callId });
    const offer = nextEvent(b1, 'signal');
    await send(a2, 'signal', { callId, description: { type: 'offer', sdp: 'v=0\r\n' } });
    expect(await offer).toMatchObject({ callId, from: alice.id, description: { type: 'offer' } });

    // Bob's reload the usual way round (close first), back on replica 1.
    const aliceRenegotiates = nextEvent(a2, 'call:peer-rejoined');
    b1.disconnect();
    await delay(150);
    const b2 = connectSocket(one.baseUrl, bob.token);
    suite.track(b2);
    const bobResumed = nextEvent(b2, 'call:resume');
    await connected(b2);
    expect(await bobResumed).toMatchObject({ callId, role: 'callee', phase: 'active' });
    expect(await send(b2, 'call:rejoin', { callId })).toEqual({ ok: true });
    expect(await aliceRenegotiates).toEqual({ callId });
    const answer = nextEvent(a2, 'signal');
    await send(b2, 'signal', { callId, description: { type: 'answer', sdp: 'v=0\r\n' } });
    expect(await answer).toMatchObject({ callId, from: bob.id, description: { type: 'answer' } });

    const ended = nextEvent(b2, 'call:ended');
    expect(await send(a2, 'call:hangup', { callId })).toEqual({ ok: true });
    expect(await ended).toEqual({ callId, reason: 'hangup' });
  });

  // Each replica serves repeated reads of a session from its Redis client-side cache: the
  // other replica's accept and hang-up must still decide the very next signal.
  it("a replica's cached session follows the other replica: accept moves the signals to the answering tab, a hang-up refuses the next signal", async () => {
    const alice = await registerUser(one.baseUrl, 'ka');
    const bob = await registerUser(two.baseUrl, 'kb');
    const a = await open(one, alice);
    const bTab1 = await open(two, bob);
    const bTab2 = await open(two, bob);
    const ringing = nextEvent(bTab2, 'call:incoming');
    const invite = await send(a, 'call:invite', { to: bob.id });
    const callId = invite.ok ? invite.callId : '';
    await ringing;
    // While it rings the caller's signals go to every tab of the callee (replica 1 caches it).
    for (const sdp of ['v=0\r\n', 'v=0\r\n']) {
      const atTab2 = nextEvent(bTab2, 'signal');
      expect(await send(a, 'signal', { callId, description: { type: 'offer', sdp } })).toEqual({
        ok: true,
      });
      await atTab2;
    }
    expect(await send(bTab1, 'call:accept', { callId })).toEqual({ ok: true });
    const atTab1 = collect(bTab1, 'signal');
    const atTab2 = collect(bTab2, 'signal');
    for (let i = 0; i < 3; i++) await send(a, 'signal', { callId, candidate: null });
    await delay(300);
    expect(atTab1).toHaveLength(3);
    expect(atTab2).toHaveLength(0);

    // Bob hangs up on replica 2; Alice's very next signal on replica 1 is refused.
    expect(await send(bTab1, 'call:hangup', { callId })).toEqual({ ok: true });
    expect(await send(a, 'signal', { callId, candidate: null })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await send(bTab1, 'signal', { callId, candidate: null })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('a ring deadline armed on replica 1 fires on replica 2 after replica 1 is gone', async () => {
    const alice = await registerUser(one.baseUrl, 'da');
    const bob = await registerUser(two.baseUrl, 'db');
    const spare = await suite.gateway({
      RING_TIMEOUT_MS: String(RING_TIMEOUT_MS),
      REPLICA_ID: 'replica-spare',
    });
    const a = connectSocket(spare.baseUrl, alice.token);
    await connected(a);
    await delay(150);
    const b = await open(two, bob);
    const endings = collect(b, 'call:ended');
    const invite = await send(a, 'call:invite', { to: bob.id });
    expect(invite.ok).toBe(true);
    await spare.close();
    await delay(RING_TIMEOUT_MS + 1000);
    const callId = invite.ok ? invite.callId : '';
    expect(endings).toContainEqual({ callId, reason: 'timeout' });
    expect(endings.filter((e) => e.callId === callId)).toHaveLength(1);
  });

  it('while Redis does not answer, a new call fails with "unavailable" and a sentence; then it recovers', async () => {
    const alice = await registerUser(one.baseUrl, 'ra');
    const bob = await registerUser(two.baseUrl, 'rb');
    const a = await open(one, alice);
    await open(two, bob);
    // Every client command waits for 4 s: longer than the gateway's 2-s command timeout.
    await suite.redis.client.sendCommand(['CLIENT', 'PAUSE', '4000', 'ALL']);
    const refused = await send(a, 'call:invite', { to: bob.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(refused.ok ? '' : refused.error.message).toMatch(/^Calls are unavailable/);
    const health = await fetch(`${one.baseUrl}/api/health`);
    expect(health.status).toBe(503);
    await delay(2500);
    const invite = await send(a, 'call:invite', { to: bob.id });
    expect(invite).toMatchObject({ ok: true });
    expect((await fetch(`${one.baseUrl}/api/health`)).status).toBe(200);
    if (invite.ok) await send(a, 'call:hangup', { callId: invite.callId });
  });
});
