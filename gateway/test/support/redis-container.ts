import { randomBytes } from 'node:crypto';
import { RedisContainer, type StartedRedisContainer } from '@testcontainers/redis';
import { createRedisClient, type RedisClient } from '../../src/redis/redis.client';

/** A password-protected `redis:8` with the stack's append-only persistence, on a random port. */
export interface TestRedis {
  container: StartedRedisContainer;
  /** `redis://:password@127.0.0.1:<port>`, for REDIS_URL. */
  url: string;
  /** A connected client for assertions; closed by `stop()`. */
  client: RedisClient;
  /** Empties the database between tests. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const container = await new RedisContainer('redis:8')
    .withPassword(randomBytes(16).toString('hex'))
    .withCommand(['redis-server', '--appendonly', 'yes', '--save', ''])
    .start();
  const url = container.getConnectionUrl();
  const client = createRedisClient(url, 'callgate-test');
  client.on('error', () => undefined);
  await client.connect();
  return {
    container,
    url,
    client,
    flush: async () => {
      await client.flushAll();
    },
    stop: async () => {
      client.destroy();
      await container.stop();
    },
  };
}
