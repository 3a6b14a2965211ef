import { isAbsentReply, LiveStateCache } from './live-state-cache';

type HandleCache = LiveStateCache['handleCache'];

/**
 * Drives node-redis's own caching path (`handleCache`, as the client calls it for a
 * cacheable command) with `reply` standing in for Redis's answer.
 */
function read(cache: LiveStateCache, args: string[], keys: string[], reply: unknown) {
  const client = { _clientId: 'test' } as unknown as Parameters<HandleCache>[0];
  const parser = {
    redisArgs: args,
    keys,
    preserve: undefined,
  } as unknown as Parameters<HandleCache>[1];
  let sent = 0;
  const fn = () => {
    sent += 1;
    return Promise.resolve(reply) as ReturnType<Parameters<HandleCache>[2]>;
  };
  return { result: cache.handleCache(client, parser, fn), sent: () => sent };
}

function cache(): LiveStateCache {
  return new LiveStateCache({ ttl: 0, maxEntries: 100, evictPolicy: 'LRU' });
}

describe('LiveStateCache', () => {
  it('answers a second read of an existing key from memory until Redis invalidates it', async () => {
    const c = cache();
    await read(c, ['GET', 'cg:call:1'], ['cg:call:1'], '{"id":"1"}').result;
    const again = read(c, ['GET', 'cg:call:1'], ['cg:call:1'], 'not asked');
    expect(await again.result).toBe('{"id":"1"}');
    expect(again.sent()).toBe(0);
    expect(c.size()).toBe(1);

    c.invalidate('cg:call:1');
    expect(c.size()).toBe(0);
    expect(c.trackedKeyCount()).toBe(0);
  });

  it('keeps nothing, not even the key index, for a reply saying the keys do not exist', async () => {
    const c = cache();
    const marker = ['cg:revoked:session:s1', 'cg:disabled:u1'];
    const first = read(c, ['MGET', ...marker], marker, [null, null]);
    expect(await first.result).toEqual([null, null]);
    await read(c, ['GET', 'cg:call:gone'], ['cg:call:gone'], null).result;
    await read(c, ['HLEN', 'cg:sockets:u1'], ['cg:sockets:u1'], 0).result;
    await read(c, ['HVALS', 'cg:sockets:u2'], ['cg:sockets:u2'], []).result;
    await read(c, ['HGETALL', 'cg:sockets:u3'], ['cg:sockets:u3'], {}).result;

    expect(c.size()).toBe(0);
    expect(c.trackedKeyCount()).toBe(0);
    // So the next check asks Redis again (a marker set meanwhile is seen).
    const second = read(c, ['MGET', ...marker], marker, [null, '1']);
    expect(await second.result).toEqual([null, '1']);
    expect(second.sent()).toBe(1);
  });

  it('returns to its floor after many departed users’ reads', async () => {
    const c = cache();
    await read(c, ['GET', 'cg:call:live'], ['cg:call:live'], '{}').result;
    for (let i = 0; i < 500; i++) {
      const keys = [`cg:revoked:session:s${i}`, `cg:disabled:u${i}`];
      await read(c, ['MGET', ...keys], keys, [null, null]).result;
      await read(c, ['HLEN', `cg:sockets:u${i}`], [`cg:sockets:u${i}`], 0).result;
    }
    // node-redis's LRU bounds entries, not its key index: that is checked first.
    expect(c.trackedKeyCount()).toBe(1);
    expect(c.size()).toBe(1);
  });
});

describe('isAbsentReply', () => {
  it.each([
    [null, true],
    [0, true],
    [[], true],
    [[null, null], true],
    [{}, true],
    [new Map(), true],
    ['', false],
    [1, false],
    [[null, '1'], false],
    [['a|1'], false],
    [{ s1: 'a|1' }, false],
  ])('%j → %s', (reply, absent) => {
    expect(isAbsentReply(reply)).toBe(absent);
  });
});

describe('LiveStateCache hits', () => {
  afterEach(() => jest.restoreAllMocks());

  it('returns a cached string as it is, without copying it', async () => {
    const c = cache();
    await read(c, ['GET', 'cg:call:1'], ['cg:call:1'], '{"id":"1"}').result;
    const clone = jest.spyOn(globalThis, 'structuredClone');
    const hit = read(c, ['GET', 'cg:call:1'], ['cg:call:1'], 'not asked');
    expect(await hit.result).toBe('{"id":"1"}');
    expect(hit.sent()).toBe(0);
    expect(clone).not.toHaveBeenCalled();
    expect(c.stats().hitCount).toBe(1);
  });

  it('returns a cached number as it is', async () => {
    const c = cache();
    await read(c, ['HLEN', 'cg:sockets:u1'], ['cg:sockets:u1'], 2).result;
    const hit = read(c, ['HLEN', 'cg:sockets:u1'], ['cg:sockets:u1'], 'not asked');
    expect(await hit.result).toBe(2);
    expect(hit.sent()).toBe(0);
  });

  it('still hands out a copy of an object reply, so a caller changing it cannot change the cache', async () => {
    const c = cache();
    await read(c, ['HVALS', 'cg:sockets:u1'], ['cg:sockets:u1'], ['a', 'b']).result;
    const first = (await read(c, ['HVALS', 'cg:sockets:u1'], ['cg:sockets:u1'], [])
      .result) as string[];
    first.push('changed by a caller');
    const again = read(c, ['HVALS', 'cg:sockets:u1'], ['cg:sockets:u1'], []);
    expect(await again.result).toEqual(['a', 'b']);
    expect(again.sent()).toBe(0);
  });

  it('does not answer from an entry Redis invalidated', async () => {
    const c = cache();
    await read(c, ['GET', 'cg:call:1'], ['cg:call:1'], 'old').result;
    c.invalidate('cg:call:1');
    const after = read(c, ['GET', 'cg:call:1'], ['cg:call:1'], 'new');
    expect(await after.result).toBe('new');
    expect(after.sent()).toBe(1);
  });
});
