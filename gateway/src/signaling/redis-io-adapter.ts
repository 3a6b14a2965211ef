import { Logger } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { AppConfig } from '../config/app-config';
import { createRedisClient, type RedisClient, redisKey } from '../redis/redis.client';

/** What socket.io's `adapter` server option takes. */
export type IoAdapterFactory = ReturnType<typeof createAdapter>;

export interface RedisIoAdapter {
  factory: IoAdapterFactory;
  client: RedisClient;
}

/**
 * socket.io across replicas: `@socket.io/redis-streams-adapter`. Every broadcast (to a
 * socket id, a user room, a presence room) is appended to one Redis stream that every
 * replica reads; unlike pub/sub, a replica that loses Redis for a moment reads on from its
 * last offset, so no signal or `call:ended` is lost in a short outage. Its own client
 * queues while offline (see createRedisClient) and is separate from the state client.
 */
export function createRedisIoAdapter(config: AppConfig): RedisIoAdapter {
  const logger = new Logger('SocketAdapter');
  const client = createRedisClient(config.redis.url, `callgate-${config.redis.replicaId}-io`, {
    queueWhileOffline: true,
  });
  client.on('error', (error: Error) => logger.debug(`Adapter Redis: ${error.message}`));
  client.connect().catch((error: unknown) => {
    logger.error(`Adapter Redis unreachable, retrying: ${(error as Error).message}`);
  });
  const factory = createAdapter(client, {
    streamName: redisKey('socket.io'),
    // ~10k entries ≈ a few seconds of peak signaling: enough to ride out a short outage.
    maxLen: 10_000,
    // Shorter than the default 5 s so a replica that died is forgotten sooner by the
    // others' request fan-out (fetchSockets is not used on the hot path).
    heartbeatInterval: 2000,
    heartbeatTimeout: 5000,
  });
  return { factory, client };
}
