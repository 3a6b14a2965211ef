import type { Response } from 'express';
import type { DatabaseService } from '../database/database.service';
import type { RedisHealth } from '../redis/redis-health.service';
import { testConfig } from '../testing/test-config';
import { HealthController } from './health.controller';

function controllerWith(databaseUp: boolean, redisUp = true): HealthController {
  const db = { isReady: () => Promise.resolve(databaseUp) } as unknown as DatabaseService;
  const redis = { ping: () => Promise.resolve(redisUp) } as unknown as RedisHealth;
  return new HealthController(
    db,
    redis,
    testConfig({ CALLGATE_VERSION: '1.2.3', REPLICA_ID: 'gw-1' }),
  );
}

function response(): { status: jest.Mock; setHeader: jest.Mock } {
  return { status: jest.fn(), setHeader: jest.fn() };
}

describe('HealthController', () => {
  it('is ready (200) when the database and Redis answer, and names the replica', async () => {
    const res = response();
    const body = await controllerWith(true).check(res as unknown as Response);
    expect(res.status).toHaveBeenCalledWith(200);
    expect(res.setHeader).toHaveBeenCalledWith('X-Callgate-Replica', 'gw-1');
    expect(body).toMatchObject({
      status: 'ok',
      live: true,
      ready: true,
      checks: { database: 'up', redis: 'up' },
      replica: 'gw-1',
      version: '1.2.3',
    });
  });

  it('stays live but not ready (503) when Redis does not answer', async () => {
    const res = response();
    const body = await controllerWith(true, false).check(res as unknown as Response);
    expect(res.status).toHaveBeenCalledWith(503);
    expect(body).toMatchObject({
      status: 'degraded',
      ready: false,
      checks: { database: 'up', redis: 'down' },
    });
  });

  it('stays live but not ready (503) when the database does not answer', async () => {
    const res = response();
    const body = await controllerWith(false).check(res as unknown as Response);
    expect(res.status).toHaveBeenCalledWith(503);
    expect(body).toMatchObject({
      status: 'degraded',
      live: true,
      ready: false,
      checks: { database: 'down', redis: 'up' },
    });
  });
});
