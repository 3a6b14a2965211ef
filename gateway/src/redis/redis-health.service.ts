import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT, type RedisClient } from './redis.client';

/** Whether Redis answers right now; used by `/api/health` and by callers that fail fast. */
@Injectable()
export class RedisHealth {
  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisClient) {}

  /** The connection is up and authenticated (no round trip). */
  get connected(): boolean {
    return this.client.isReady;
  }

  /** A PING within `timeoutMs`. */
  async ping(timeoutMs = 1000): Promise<boolean> {
    if (!this.client.isReady) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.client.ping().then((reply) => reply === 'PONG'), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
