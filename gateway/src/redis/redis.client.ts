import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  createClient,
  ErrorReply,
  SocketClosedUnexpectedlyError,
  TimeoutError,
} from 'redis';
import { CommandDeadlines } from './command-deadlines';
import { LiveStateCache } from './live-state-cache';

/**
 * The gateway's Redis connection (node-redis v5, RESP3 with client-side caching). One
 * multiplexed connection per process carries every command; the socket.io adapter has its
 * own RESP2 publisher, which it duplicates for its blocking stream reads and its pub/sub
 * (see redis-io-adapter.ts).
 */
export type RedisClient = ReturnType<typeof createRedisClient>;

/** The socket.io adapter's connection: RESP2, no cache, queues while offline. */
export type AdapterRedisClient = ReturnType<typeof createAdapterRedisClient>;

/** Injection token of the connected {@link RedisClient}. */
export const REDIS_CLIENT = Symbol('RedisClient');

/** Every key the gateway writes starts with this, so a shared Redis stays readable. */
const KEY_PREFIX = 'cg:';

/** `redisKey('call', id)` → `cg:call:<id>`. */
export function redisKey(...parts: string[]): string {
  return KEY_PREFIX + parts.join(':');
}

/** Longest wait for one reply. */
export const COMMAND_TIMEOUT_MS = 2000;

/** Longest pause between reconnect attempts: recovery within a second of Redis returning. */
const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * Reads the state client keeps locally (LRU). Only replies about existing keys are kept
 * ({@link LiveStateCache}), so this bounds the live call sessions, callee summaries and
 * socket hashes read again and again; an evicted entry costs one read again.
 */
export const CLIENT_CACHE_ENTRIES = 20_000;

const socketOptions = {
  connectTimeout: 3000,
  reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
};

/**
 * The state client: never gives up reconnecting, fails commands at once while
 * disconnected (no offline queue), and every caller bounds its wait with
 * {@link withinCommandTimeout}: a caller then gets a typed "unavailable" error instead of a
 * request that hangs until Redis returns. (node-redis's own per-command `timeout` is not
 * used: it only covers commands not yet written, which withinCommandTimeout covers too,
 * and it built an AbortSignal and a DOMException per command — ~3 % of the gateway's CPU
 * under load, docs/BENCHMARKS.md §2.)
 *
 * Client-side caching (RESP3 `CLIENT TRACKING` on this same connection): a read of a key
 * (GET of a call session, a callee's summary, HLEN of a user's sockets) is answered from
 * memory until Redis says the key changed. Redis pushes that invalidation on this
 * connection while the writing command runs, so on this replica it arrives before the
 * reply of any later command (a signal after this replica's hang-up is never served from
 * the stale entry); another replica's write arrives as a push before the `call:ended` it
 * then sends through the adapter stream. A lost connection clears the whole cache.
 * Replies saying a key does not exist are not kept ({@link LiveStateCache}): nothing would
 * ever free them. A `duplicate()` shares this cache; see {@link duplicateWithoutCache}.
 */
export function createRedisClient(url: string, name: string) {
  return createClient({
    url,
    name,
    RESP: 3,
    clientSideCache: new LiveStateCache({
      ttl: 0,
      maxEntries: CLIENT_CACHE_ENTRIES,
      evictPolicy: 'LRU',
    }),
    disableOfflineQueue: true,
    // Detects a half-open connection (Redis host gone without a FIN) within seconds.
    pingInterval: 5000,
    socket: socketOptions,
    ...withoutMaintenanceNotifications,
  });
}

/**
 * node-redis listens for Redis Enterprise's maintenance pushes (MOVING, MIGRATING…) by
 * default, and its handler stringifies every push it sees for a debug line first: every
 * cache invalidation, ~1 % of the gateway's busy time under load (profile). This Redis
 * (OSS 8) never sends them.
 */
const withoutMaintenanceNotifications = { maintNotifications: 'disabled' } as const;

/**
 * A second connection like `client` for one that reads no state (a subscriber). A plain
 * `duplicate()` would share the state client's cache, and clear it whenever it
 * reconnects. (Only an option present and undefined overrides the cache, which
 * exactOptionalPropertyTypes cannot express: hence the casts.)
 */
export function duplicateWithoutCache(client: RedisClient): RedisClient {
  const overrides = { clientSideCache: undefined } as unknown as Parameters<
    RedisClient['duplicate']
  >[0];
  return client.duplicate(overrides) as unknown as RedisClient;
}

/**
 * The socket.io adapter's client: messages published during a short outage are sent when
 * Redis returns (offline queue), and its stream reader waits instead of spinning on errors.
 */
export function createAdapterRedisClient(url: string, name: string) {
  return createClient({
    url,
    name,
    pingInterval: 5000,
    socket: socketOptions,
    ...withoutMaintenanceNotifications,
  });
}

/**
 * True for the failures of an unreachable or refusing Redis (offline, closed, timed out,
 * or an error reply such as OOM under `noeviction`): callers answer "unavailable".
 */
export function isRedisUnavailable(error: unknown): boolean {
  return (
    error instanceof ClientOfflineError ||
    error instanceof ClientClosedError ||
    error instanceof SocketClosedUnexpectedlyError ||
    error instanceof ConnectionTimeoutError ||
    error instanceof TimeoutError ||
    error instanceof ErrorReply
  );
}

/**
 * `reply`, or a node-redis `TimeoutError` (so {@link isRedisUnavailable}) after
 * {@link COMMAND_TIMEOUT_MS}: a Redis that accepts commands but stalls (paused, swapping,
 * a partition without RST) must not hold a signaling ack open. The command may still run
 * later; every transition is safe to lose its caller (deadlines end what it left behind).
 */
export function withinCommandTimeout<T>(reply: Promise<T>): Promise<T> {
  return commandDeadlines.within(reply, () => new TimeoutError());
}

/** Every state command's deadline, on one timer (see {@link CommandDeadlines}). */
const commandDeadlines = new CommandDeadlines(COMMAND_TIMEOUT_MS);
