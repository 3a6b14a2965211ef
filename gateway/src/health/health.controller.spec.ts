import type { Response } from 'express';
import type { DatabaseService } from '../database/database.service';
import { testConfig } from '../testing/test-config';
import { HealthController } from './health.controller';

function controllerWith(ready: boolean): HealthController {
  const db = { isReady: () => Promise.resolve(ready) } as unknown as DatabaseService;
  return new HealthController(db, testConfig({ CALLGATE_VERSION: '1.2.3' }));
}

describe('HealthController', () => {
  it('is ready (200) when the database answers', async () => {
    const status = jest.fn();
    const body = await controllerWith(true).check({ status } as unknown as Response);
    expect(status).toHaveBeenCalledWith(200);
    expect(body).toMatchObject({
      status: 'ok',
      live: true,
      ready: true,
      checks: { database: 'up' },
      version: '1.2.3',
    });
  });

  it('stays live but not ready (503) when the database does not answer', async () => {
    const status = jest.fn();
    const body = await controllerWith(false).check({ status } as unknown as Response);
    expect(status).toHaveBeenCalledWith(503);
    expect(body).toMatchObject({
      status: 'degraded',
      live: true,
      ready: false,
      checks: { database: 'down' },
    });
  });
});
