import { createAdapterRedisClient, createRedisClient, redisKey } from './redis.client';

describe('Redis clients', () => {
  it('do not listen for Redis Enterprise maintenance pushes (every invalidation paid for it)', () => {
    for (const client of [
      createRedisClient('redis://127.0.0.1:1', 'test'),
      createAdapterRedisClient('redis://127.0.0.1:1', 'test'),
    ]) {
      expect(client.options?.maintNotifications).toBe('disabled');
    }
  });

  it('prefix every key with cg:', () => {
    expect(redisKey('call', 'c1')).toBe('cg:call:c1');
  });
});
