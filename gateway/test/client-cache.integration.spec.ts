import type { ClientAck, ClientPayload, ClientToServerEvents } from '@callgate/protocol';
import { LiveStateCache } from '../src/redis/live-state-cache';
import { REDIS_CLIENT, type RedisClient } from '../src/redis/redis.client';
import {
  type ClientSocket,
  delay,
  nextEvent,
  registerUser,
  type RunningGateway,
  type TestUser,
} from './support/gateway-harness';
import { integrationSuite } from './support/integration-suite';

/**
 * The gateway's client-side cache holds live state only: once everybody has left, it and
 * node-redis's key index are back where they started (docs/BENCHMARKS.md §3 measured the
 * leak this guards against: every handshake's revocation check stayed cached).
 */
const USERS = 40;
const GRACE_MS = 500;

const suite = integrationSuite();
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await suite.gateway({ RECONNECT_GRACE_MS: String(GRACE_MS) });
});

function cacheOf(running: RunningGateway): LiveStateCache {
  const cache = running.app.get<symbol, RedisClient>(REDIS_CLIENT).clientSideCache;
  if (!(cache instanceof LiveStateCache)) throw new Error('the state client has no LiveStateCache');
  return cache;
}

function footprint(cache: LiveStateCache): { entries: number; trackedKeys: number } {
  return { entries: cache.size(), trackedKeys: cache.trackedKeyCount() };
}

function send<E extends keyof ClientToServerEvents>(
  socket: ClientSocket,
  event: E,
  payload: ClientPayload<E>,
): Promise<ClientAck<E>> {
  return (
    socket.timeout(5000).emitWithAck as (
      event: E,
      payload: ClientPayload<E>,
    ) => Promise<ClientAck<E>>
  )(event, payload);
}

async function open(user: TestUser): Promise<ClientSocket> {
  return suite.open(gateway.baseUrl, user.token);
}

/** Waits until Redis holds no presence record (every close has been processed). */
async function everyoneGone(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await suite.redis.client.keys('cg:sockets:*')).length === 0) {
      // The deletions' invalidations travel on the gateway's own connection; one more
      // round trip of it has certainly carried them.
      await gateway.app.get<symbol, RedisClient>(REDIS_CLIENT).ping();
      return;
    }
    await delay(50);
  }
  throw new Error('presence records were not removed');
}

describe('client-side cache after people leave', () => {
  it(`is back to its floor after ${USERS} people connect, call, and leave`, async () => {
    const users: TestUser[] = [];
    for (let i = 0; i < USERS; i++) users.push(await registerUser(gateway.baseUrl, 'cc'));
    const cache = cacheOf(gateway);
    const floor = footprint(cache);

    const everyone = await Promise.all(users.map(open));
    const [caller, callee] = everyone;
    if (caller === undefined || callee === undefined) throw new Error('no sockets');
    const incoming = nextEvent(callee, 'call:incoming');
    const invite = await send(caller, 'call:invite', { to: users[1]!.id });
    if (!invite.ok) throw new Error(`invite failed: ${invite.error.message}`);
    const { callId } = invite;
    await incoming;
    expect(await send(callee, 'call:accept', { callId })).toEqual({ ok: true });
    for (let i = 0; i < 3; i++) {
      expect(await send(caller, 'signal', { callId, candidate: null })).toEqual({ ok: true });
    }
    // The cache is in use while the call lives (so the floor check below can fail).
    expect(cache.size()).toBeGreaterThan(floor.entries);

    // The callee's tab closes; after the grace period the call ends, read by this replica
    // for a person who has no socket any more; then a late signal names the ended call.
    const ended = nextEvent(caller, 'call:ended', GRACE_MS + 3000);
    callee.disconnect();
    expect(await ended).toEqual({ callId, reason: 'disconnected' });
    const late = await send(caller, 'signal', { callId, candidate: null });
    expect(late.ok).toBe(false);

    for (const socket of everyone) socket.disconnect();
    await everyoneGone();
    expect(footprint(cache)).toEqual(floor);
  });
});
