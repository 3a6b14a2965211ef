import { BasicClientSideCache } from 'redis';

type CacheEntry = Parameters<BasicClientSideCache['set']>[1];
type CacheKeys = Parameters<BasicClientSideCache['set']>[2];
type CachingClient = Parameters<BasicClientSideCache['createValueEntry']>[0];
type HandleCache = BasicClientSideCache['handleCache'];

/** node-redis's cache key of a command (its `generateCacheKey`, which it does not export). */
function cacheKeyOf(redisArgs: readonly { length: number }[]): string {
  const parts = new Array<unknown>(redisArgs.length * 2);
  for (let i = 0; i < redisArgs.length; i++) {
    parts[i] = redisArgs[i]!.length;
    parts[i + redisArgs.length] = redisArgs[i];
  }
  return parts.join('_');
}

/** A reply no caller can change: a copy of it would be the same value. */
function isImmutable(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

/**
 * True for a reply that says "this key does not exist": nil (GET, HGET), all-nil (MGET),
 * 0 (HLEN, EXISTS, HEXISTS: Redis has no empty hash), an empty list (HVALS, HKEYS) or map
 * (HGETALL). A 0 or nil can also be a missing field of a live hash; that read is then not
 * kept either, which only costs it a round trip.
 */
export function isAbsentReply(value: unknown): boolean {
  if (value === null || value === undefined || value === 0) return true;
  if (Array.isArray(value)) return value.every((item) => item === null || item === undefined);
  if (value instanceof Map) return value.size === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/**
 * node-redis's client-side cache, keeping only replies about keys that exist.
 *
 * Why: every key the gateway caches is live state (a call session, an online user's
 * sockets and summary) that Redis deletes when it ends, and that deletion reaches this
 * connection as an invalidation, which frees the entry and node-redis's key → entries
 * index with it. A reply saying a key is absent has no such end: a revocation marker that
 * was never set, an ended call's id, a user who left and never comes back are never
 * written again, so node-redis kept their entries (up to `maxEntries`) and their index
 * sets (no limit at all: its LRU eviction does not touch the index) for the life of the
 * connection. The memory bench measured it: every authenticated handshake left its
 * revocation check (`MGET` of two absent markers) behind, +63.5 % heap after three
 * connect/disconnect waves (docs/BENCHMARKS.md §3). The hot path reads live keys only, so
 * it keeps every cache hit it had; an absent key is read from Redis each time, as any
 * uncached read, so no ordering guarantee changes.
 */
export class LiveStateCache extends BasicClientSideCache {
  /** Value entries of absent replies, from createValueEntry until set() drops them. */
  private readonly absent = new WeakSet<CacheEntry>();

  override createValueEntry(client: CachingClient, value: unknown) {
    const entry = super.createValueEntry(client, value);
    if (isAbsentReply(value)) this.absent.add(entry);
    return entry;
  }

  override set(cacheKey: string, entry: CacheEntry, keys: CacheKeys): void {
    if (!this.absent.has(entry)) {
      super.set(cacheKey, entry, keys);
      return;
    }
    // The read's pending entry is already indexed under its keys; forgetting those keys
    // removes it and the index sets. Other entries of an absent key are stale anyway (the
    // invalidation of its deletion came first); for a missing field of a live hash they
    // are read again once.
    this.delete(cacheKey);
    for (const key of keys) this.invalidate(key);
  }

  /**
   * A hit whose reply is a string or number (a call session's JSON, a callee's summary,
   * a socket count: every hot-path read but HVALS) is returned as it is. node-redis
   * answers every hit with `structuredClone(value)` so that a caller mutating an object
   * reply cannot change the cache; for an immutable value that copy is pure cost, 2.3 %
   * of the gateway's CPU under load (docs/BENCHMARKS.md §2). Object replies, misses and
   * pending reads take node-redis's own path, copy included.
   */
  override handleCache(...args: Parameters<HandleCache>): ReturnType<HandleCache> {
    const entry = this.get(cacheKeyOf(args[1].redisArgs));
    if (entry !== undefined && 'value' in entry && isImmutable(entry.value)) {
      this.recordHits(1);
      return Promise.resolve(entry.value);
    }
    return super.handleCache(...args);
  }

  /** Keys node-redis indexes entries under (for tests and the memory diagnosis). */
  trackedKeyCount(): number {
    let count = 0;
    for (const _ of this.keySetEntries()) count++;
    return count;
  }
}
