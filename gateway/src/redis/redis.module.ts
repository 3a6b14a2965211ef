import {
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { RedisHealth } from './redis-health.service';
import { createRedisClient, REDIS_CLIENT, type RedisClient } from './redis.client';

const logger = new Logger('Redis');

/**
 * Connects before the app starts: a gateway whose Redis is unreachable at start-up keeps
 * retrying in the background (calls answer "unavailable" meanwhile) instead of exiting, so
 * a stack whose Redis starts late or restarts still comes up.
 */
const clientProvider: Provider = {
  provide: REDIS_CLIENT,
  inject: [APP_CONFIG],
  useFactory: async (config: AppConfig): Promise<RedisClient> => {
    const client = createRedisClient(config.redis.url, `callgate-${config.redis.replicaId}`);
    let wasReady = false;
    // Without an error listener node-redis would crash the process on a lost connection.
    client.on('error', (error: Error) => {
      if (wasReady) logger.warn(`Redis connection lost: ${error.message}`);
      wasReady = false;
    });
    client.on('ready', () => {
      if (!wasReady) logger.log('Redis connection ready');
      wasReady = true;
    });
    client.connect().catch((error: unknown) => {
      logger.error(`Redis is unreachable, retrying: ${(error as Error).message}`);
    });
    await waitUntilReady(client, 5000);
    return client;
  },
};

function waitUntilReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.isReady) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.on('ready', done);
  });
}

/**
 * The gateway's shared-state connection. Exports {@link REDIS_CLIENT} (a connected
 * node-redis client) and {@link RedisHealth}; keys go through `redisKey()`.
 */
@Global()
@Module({
  providers: [clientProvider, RedisHealth],
  exports: [REDIS_CLIENT, RedisHealth],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    // close() lets pending replies arrive; destroy() while reconnecting (nothing pending).
    if (this.client.isReady) await this.client.close().catch(() => this.client.destroy());
    else if (this.client.isOpen) this.client.destroy();
  }
}
