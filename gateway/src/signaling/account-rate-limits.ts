import { TokenBucket } from './token-bucket';

/**
 * One signaling token bucket per account on this replica, shared by all of its sockets:
 * opening more tabs does not buy more messages per second. A bucket is dropped with the
 * account's last local socket (a fresh one starts full, as a reconnect always did).
 */
export class AccountRateLimits {
  private readonly buckets = new Map<string, { bucket: TokenBucket; sockets: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {}

  /** The account's bucket, counted as used by one more socket. */
  acquire(userId: string): TokenBucket {
    const entry = this.buckets.get(userId);
    if (entry !== undefined) {
      entry.sockets += 1;
      return entry.bucket;
    }
    const bucket = new TokenBucket(this.burst, this.perSecond);
    this.buckets.set(userId, { bucket, sockets: 1 });
    return bucket;
  }

  /** One socket of the account is gone. */
  release(userId: string): void {
    const entry = this.buckets.get(userId);
    if (entry === undefined) return;
    entry.sockets -= 1;
    if (entry.sockets <= 0) this.buckets.delete(userId);
  }

  get size(): number {
    return this.buckets.size;
  }
}
