import { Logger } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { AppConfig } from '../config/app-config';
import {
  type AdapterRedisClient as RedisClient,
  createAdapterRedisClient,
  redisKey,
} from '../redis/redis.client';

/** What socket.io's `adapter` server option takes. */
export type IoAdapterFactory = ReturnType<typeof createAdapter>;

export interface RedisIoAdapter {
  /** Opens the adapter's Redis connections when socket.io first asks for an adapter. */
  factory: IoAdapterFactory;
  /**
   * Closes every connection the adapter opened: its publisher and the stream reader and
   * pub/sub client it duplicated from it. Call after the socket.io server is closed
   * (closing the server stops the adapter's polling loop).
   */
  close(): Promise<void>;
}

/**
 * socket.io across replicas: `@socket.io/redis-streams-adapter`. Every broadcast (to a
 * socket id, a user room, a presence room) is appended to one Redis stream that every
 * replica reads; unlike pub/sub, a replica that loses Redis for a moment reads on from its
 * last offset, so no signal or `call:ended` is lost in a short outage. Its own client
 * queues while offline (see createAdapterRedisClient) and is separate from the state client.
 *
 * Nothing connects until socket.io creates its server: an app that is built but never
 * listens (`callgate-create-admin`) opens no adapter connection it would have to close.
 */
export function createRedisIoAdapter(config: AppConfig): RedisIoAdapter {
  const logger = new Logger('SocketAdapter');
  let client: RedisClient | undefined;
  const duplicates: RedisClient[] = [];
  let factory: IoAdapterFactory | undefined;
  const build = (): IoAdapterFactory => {
    client = createAdapterRedisClient(config.redis.url, `callgate-${config.redis.replicaId}-io`);
    client.on('error', (error: Error) => logger.debug(`Adapter Redis: ${error.message}`));
    client.connect().catch((error: unknown) => {
      logger.error(`Adapter Redis unreachable, retrying: ${(error as Error).message}`);
    });
    trackDuplicates(client, duplicates);
    return createAdapter(client, {
      streamName: redisKey('socket.io'),
      // ~10k entries ≈ a few seconds of peak signaling: enough to ride out a short outage.
      maxLen: 10_000,
      // Shorter than the default 5 s so a replica that died is forgotten sooner by the
      // others' request fan-out (fetchSockets is not used on the hot path).
      heartbeatInterval: 2000,
      heartbeatTimeout: 5000,
    });
  };
  return {
    // A `function`, not an arrow: socket.io calls the adapter factory with `new`.
    factory: function (nsp) {
      return (factory ??= build())(nsp);
    },
    close: async () => {
      // The adapter disconnects its stream reader only once the blocking XREAD it is in
      // returns (up to 5 s): until then a closed gateway stayed alive (as PID 1 in a
      // container, until Docker's SIGKILL). End the duplicates here instead.
      for (const duplicate of duplicates) {
        if (duplicate.isOpen) duplicate.destroy();
      }
      if (client?.isReady) await client.close().catch(() => client?.destroy());
      else if (client?.isOpen) client.destroy();
    },
  };
}

/**
 * Records every `duplicate()` of `client` into `made` (the adapter makes a stream reader
 * and a pub/sub client that it never exposes), so shutdown can close them. Their
 * `disconnect()` becomes a no-op once closed: the adapter calls it after its aborted XREAD
 * fails, and node-redis throws on a second close (an unhandled rejection in its loop).
 */
function trackDuplicates(client: RedisClient, made: RedisClient[]): void {
  const duplicate = client.duplicate.bind(client);
  client.duplicate = ((...args: Parameters<RedisClient['duplicate']>) => {
    const copy = duplicate(...args);
    const disconnect = copy.disconnect.bind(copy);
    copy.disconnect = () => (copy.isOpen ? disconnect() : Promise.resolve());
    made.push(copy as RedisClient);
    return copy;
  }) as RedisClient['duplicate'];
}
