import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CallgateError } from '../common/callgate-error';

interface FailureWindow {
  failures: number;
  /** Epoch ms at which the window (and any lock-out) ends. */
  resetAt: number;
}

const SWEEP_THRESHOLD = 10_000;

/**
 * Counts failed logins per username + client address in memory. After
 * `maxFailures` inside the window every attempt gets 429 with `Retry-After`
 * until the window ends, even with the right password.
 */
@Injectable()
export class LoginThrottleService {
  private readonly windows = new Map<string, FailureWindow>();
  /** Clock, replaceable in tests. */
  now: () => number = () => Date.now();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Throws a 429 {@link CallgateError} when this username + address is locked out. */
  assertAllowed(username: string, address: string): void {
    const window = this.current(this.key(username, address));
    if (window !== undefined && window.failures >= this.config.login.maxFailures) {
      const retryAfter = Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000));
      throw CallgateError.rateLimited(
        `Too many failed sign-in attempts; try again in ${retryAfter} seconds.`,
        { 'Retry-After': String(retryAfter) },
      );
    }
  }

  recordFailure(username: string, address: string): void {
    const key = this.key(username, address);
    const window = this.current(key);
    if (window === undefined) {
      if (this.windows.size >= SWEEP_THRESHOLD) this.sweep();
      this.windows.set(key, {
        failures: 1,
        resetAt: this.now() + this.config.login.failureWindowSeconds * 1000,
      });
    } else {
      window.failures += 1;
    }
  }

  recordSuccess(username: string, address: string): void {
    this.windows.delete(this.key(username, address));
  }

  private current(key: string): FailureWindow | undefined {
    const window = this.windows.get(key);
    if (window !== undefined && window.resetAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }

  private key(username: string, address: string): string {
    return `${username.toLowerCase()}\u0000${address}`;
  }
}
