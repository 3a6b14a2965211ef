import { RedisCallSessionStore } from '../src/calls/redis-call-session.store';
import { createRedisClient, type RedisClient } from '../src/redis/redis.client';
import { describeCallSessionStore } from '../src/testing/call-session-store.contract';
import { startRedis, type TestRedis } from './support/redis-container';

let redis: TestRedis;
const clients: RedisClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
  // Two connections, as two gateway replicas have.
  for (const name of ['replica-1', 'replica-2']) {
    const client = createRedisClient(redis.url, name);
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
  }
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await redis?.stop();
});

describeCallSessionStore('Redis 8 (two replicas)', async () => {
  await redis.flush();
  return [new RedisCallSessionStore(clients[0]!), new RedisCallSessionStore(clients[1]!)];
});
