import { createClient } from 'redis';

/**
 * The gateway's Redis connection (node-redis v5, RESP2). One multiplexed connection per
 * process carries every command; the socket.io adapter duplicates it once for its blocking
 * stream reads.
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
 * A client that never gives up reconnecting and fails commands at once while disconnected
 * (no offline queue): a caller then gets a typed "unavailable" error instead of a request
 * that hangs until Redis returns.
 */
export function createRedisClient(url: string, name: string): RedisClient {
  return createClient({
    url,
    name,
    disableOfflineQueue: true,
    // Detects a half-open connection (Redis host gone without a FIN) within seconds.
    pingInterval: 5000,
    // A Redis that accepts the connection but does not answer (paused, swapping) fails a
    // command after this instead of holding a signaling ack open. Blocking reads must use
    // a shorter BLOCK (the socket.io adapter: 1 s).
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: 3000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
}
