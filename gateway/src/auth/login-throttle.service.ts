import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CallgateError } from '../common/callgate-error';
import { REDIS_CLIENT, type RedisClient, redisKey } from '../redis/redis.client';
import { RedisScript } from '../redis/redis-script';
import { DeviceTokens } from './device-token';

/** One sign-in attempt that has been counted; report how it went. */
export interface LoginAttempt {
  failed(): Promise<void>;
  succeeded(): Promise<void>;
}

/**
 * Counts the attempt and reads the window in one atomic step, so parallel guesses each
 * see their own count (60 at once count as 60). The window starts at the first attempt.
 */
const COUNT_ATTEMPT = new RedisScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`);

const LONGEST_DELAY_MS = 10_000;

/** Progressive delay before the `count`-th attempt from an unknown browser is checked. */
export function progressiveDelayMs(count: number, baseMs: number): number {
  if (count <= 1 || baseMs === 0) return 0;
  return Math.min(LONGEST_DELAY_MS, baseMs * 2 ** (count - 2));
}

/**
 * Login throttling that cannot lock a person out (OWASP device cookies). A browser holding
 * a device cookie for the username is limited by its own counter; every other browser
 * shares the username's "untrusted" counter, with a growing delay per failure and then 429
 * + Retry-After. An attacker's guesses therefore block only unknown browsers, never the
 * person's own. Counters live in Redis: shared by replicas, kept across restarts.
 */
@Injectable()
export class LoginThrottleService {
  private readonly devices: DeviceTokens;
  /** Sleep, replaceable in tests. */
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.devices = new DeviceTokens(config.jwt.secret);
  }

  /** Counts an attempt for `username`; throws 429 once its counter is over the limit. */
  async begin(username: string, deviceCookie: string | undefined): Promise<LoginAttempt> {
    const nonce = this.devices.nonceFor(deviceCookie, username);
    const key =
      nonce === undefined
        ? redisKey('login', 'untrusted', username)
        : redisKey('login', 'device', nonce);
    const { maxFailures, failureWindowSeconds, delayBaseMs } = this.config.login;
    const reply = await COUNT_ATTEMPT.run(this.redis, [key], [failureWindowSeconds]);
    const [count, ttl] = Array.isArray(reply) ? reply.map(Number) : [NaN, NaN];
    if (count === undefined || ttl === undefined || !Number.isFinite(count)) {
      throw new Error(`Unexpected login counter reply: ${JSON.stringify(reply)}`);
    }
    if (count > maxFailures) {
      const retryAfter = Math.max(1, ttl);
      throw CallgateError.rateLimited(
        nonce === undefined
          ? `Too many failed sign-ins for this username; try again in ${retryAfter} seconds, or from a browser you signed in with before.`
          : `Too many failed sign-ins from this browser; try again in ${retryAfter} seconds.`,
        { 'Retry-After': String(retryAfter) },
      );
    }
    if (nonce === undefined) await this.sleep(progressiveDelayMs(count, delayBaseMs));
    return {
      failed: () => Promise.resolve(),
      // The attempt was counted up front; a success takes it back (a device starts over).
      succeeded: async () => {
        if (nonce === undefined) await this.redis.decr(key);
        else await this.redis.del(key);
      },
    };
  }

  /** A fresh device cookie after a successful sign-in. */
  deviceCookieFor(username: string): string {
    return this.devices.issue(username);
  }
}
