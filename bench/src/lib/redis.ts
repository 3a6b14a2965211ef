import { randomBytes } from 'node:crypto';
import { RedisContainer, type StartedRedisContainer } from '@testcontainers/redis';
import { onCleanup } from './cleanup.ts';
import { raisePriority, run } from './process.ts';

export interface Redis {
  /**
   * `redis://:password@<container ip>:6379`, for the gateway's REDIS_URL: straight to the
   * container over Docker's bridge, as the stack's gateway reaches it, not through the
   * published port (Docker's userland proxy would add a copy of every command and reply,
   * in a process the bench neither pins nor counts).
   */
  url: string;
  container: StartedRedisContainer;
  /** Host pid of `redis-server` (Docker shares the host kernel), for CPU readings. */
  pid: () => Promise<number>;
  /**
   * Pins the container to a CPU list (`docker update --cpuset-cpus`), e.g. the server core,
   * at the raised priority of every pinned server process: Redis is part of the server side,
   * and at normal priority it would wait behind the gateway it answers.
   */
  pin: (cpus: string) => Promise<void>;
  /** `INFO commandstats` as command → calls so far (e.g. `evalsha` → 1200). */
  commandCalls: () => Promise<Map<string, number>>;
  stop: () => Promise<void>;
}

/**
 * A throw-away `redis:8` for the gateway replicas, published on loopback only, with the
 * stack's persistence (append-only file, fsync every second) so its cost is in the numbers.
 */
export async function startRedis(): Promise<Redis> {
  const container = await new RedisContainer('redis:8')
    .withPassword(randomBytes(16).toString('hex'))
    .withCommand(['redis-server', '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''])
    .start();
  const stop = onCleanup('redis container', async () => {
    await container.stop({ timeout: 5_000 });
  });
  const id = container.getId();
  return {
    url: `redis://:${encodeURIComponent(container.getPassword())}@${container.getIpAddress('bridge')}:6379`,
    container,
    pid: async () => Number((await run('docker', ['inspect', '-f', '{{.State.Pid}}', id])).trim()),
    pin: async (cpus) => {
      await run('docker', ['update', '--cpuset-cpus', cpus, id]);
      await raisePriority(
        Number((await run('docker', ['inspect', '-f', '{{.State.Pid}}', id])).trim()),
      );
    },
    commandCalls: async () => {
      const { output } = await container.exec([
        'redis-cli',
        '-a',
        container.getPassword(),
        '--no-auth-warning',
        'INFO',
        'commandstats',
      ]);
      return parseCommandStats(output);
    },
    stop,
  };
}

/** `cmdstat_get:calls=12,usec=…` lines → command → calls. */
export function parseCommandStats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1]!, Number(match[2]));
  }
  return calls;
}

/** Commands run between two {@link Redis.commandCalls} readings, per `per` (e.g. per call). */
export function commandsBetween(
  before: Map<string, number>,
  after: Map<string, number>,
  per: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [command, calls] of after) {
    const diff = calls - (before.get(command) ?? 0);
    if (diff > 0 && per > 0) out[command] = Math.round((diff / per) * 100) / 100;
  }
  return out;
}
