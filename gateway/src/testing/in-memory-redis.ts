/**
 * Stands in for the node-redis client in the Docker-free wiring test: string keys (GET,
 * SET with EX ignored, MGET, DEL, DECR), MULTI of SETs, PUBLISH/SUBSCRIBE between clients
 * made by `duplicate()`, PING. Any other command throws, so a new Redis call on the wired
 * path fails the test loudly instead of answering nothing; the real semantics (expiry,
 * scripts) are covered by `gateway:integration` against Redis 8.
 */
type Listener = (message: string) => void;

class Bus {
  readonly strings = new Map<string, string>();
  readonly channels = new Map<string, Set<Listener>>();
}

class InMemoryRedisClient {
  isReady = true;
  isOpen = true;

  constructor(private readonly bus: Bus) {}

  duplicate(): InMemoryRedisClient {
    return guarded(new InMemoryRedisClient(this.bus));
  }
  on(): this {
    return this;
  }
  off(): this {
    return this;
  }
  connect(): Promise<this> {
    return Promise.resolve(this);
  }
  ping(): Promise<string> {
    return Promise.resolve('PONG');
  }
  get(key: string): Promise<string | null> {
    return Promise.resolve(this.bus.strings.get(key) ?? null);
  }
  set(key: string, value: string): Promise<string> {
    this.bus.strings.set(key, value);
    return Promise.resolve('OK');
  }
  mGet(keys: readonly string[]): Promise<(string | null)[]> {
    return Promise.resolve(keys.map((key) => this.bus.strings.get(key) ?? null));
  }
  del(keys: string | readonly string[]): Promise<number> {
    const list = typeof keys === 'string' ? [keys] : keys;
    return Promise.resolve(list.filter((key) => this.bus.strings.delete(key)).length);
  }
  decr(key: string): Promise<number> {
    const next = Number(this.bus.strings.get(key) ?? '0') - 1;
    this.bus.strings.set(key, String(next));
    return Promise.resolve(next);
  }
  multi(): { set: (key: string, value: string) => unknown; exec: () => Promise<unknown[]> } {
    const queued: [string, string][] = [];
    const chain = {
      set: (key: string, value: string) => {
        queued.push([key, value]);
        return chain;
      },
      exec: () => {
        for (const [key, value] of queued) this.bus.strings.set(key, value);
        return Promise.resolve(queued.map(() => 'OK'));
      },
    };
    return chain;
  }
  publish(channel: string, message: string): Promise<number> {
    const listeners = [...(this.bus.channels.get(channel) ?? [])];
    for (const listener of listeners) listener(message);
    return Promise.resolve(listeners.length);
  }
  subscribe(channel: string, listener: Listener): Promise<void> {
    const set = this.bus.channels.get(channel) ?? new Set<Listener>();
    set.add(listener);
    this.bus.channels.set(channel, set);
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.isReady = false;
    this.isOpen = false;
    return Promise.resolve();
  }
  destroy(): void {
    this.isReady = false;
    this.isOpen = false;
  }
}

const NOT_COMMANDS = new Set([
  'then',
  'toJSON',
  'inspect',
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

function guarded(client: InMemoryRedisClient): InMemoryRedisClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      // Promise resolution, inspection and Nest's lifecycle probe these; not Redis commands.
      if (typeof property === 'string' && NOT_COMMANDS.has(property)) return undefined;
      if (typeof property === 'string' && !(property in target)) {
        throw new Error(`InMemoryRedis does not implement ${property}`);
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/** A fresh fake Redis (its own keyspace and channels). */
export function createInMemoryRedis(): InMemoryRedisClient {
  return guarded(new InMemoryRedisClient(new Bus()));
}
