import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  createClient,
  ErrorReply,
  SocketClosedUnexpectedlyError,
  TimeoutError,
} from 'redis';

/**
 * The gateway's Redis connection (node-redis v5, RESP2). One multiplexed connection per
 * process carries every command; the socket.io adapter has its own publisher, which it
 * duplicates for its blocking stream reads and its pub/sub (see redis-io-adapter.ts).
 */
export type RedisClient = ReturnType<typeof createClient>;

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
 * A client that never gives up reconnecting. By default it fails commands at once while
 * disconnected (no offline queue) and after {@link COMMAND_TIMEOUT_MS}: a caller then gets
 * a typed "unavailable" error instead of a request that hangs until Redis returns.
 */
export function createRedisClient(
  url: string,
  name: string,
  { queueWhileOffline = false }: { queueWhileOffline?: boolean } = {},
): RedisClient {
  return createClient({
    url,
    name,
    // `queueWhileOffline` (the socket.io adapter's client): messages published during a
    // short outage are sent when Redis returns, and its stream reader waits instead of
    // spinning on errors.
    disableOfflineQueue: !queueWhileOffline,
    // Detects a half-open connection (Redis host gone without a FIN) within seconds.
    pingInterval: 5000,
    // node-redis's own command timeout only covers commands not yet written; a Redis that
    // accepted a command and stalls is covered by withinCommandTimeout() below.
    ...(queueWhileOffline ? {} : { commandOptions: { timeout: COMMAND_TIMEOUT_MS } }),
    socket: {
      connectTimeout: 3000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
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
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), COMMAND_TIMEOUT_MS);
  });
  return Promise.race([reply, timeout]).finally(() => clearTimeout(timer));
}
