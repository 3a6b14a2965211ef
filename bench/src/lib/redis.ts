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
    stop,
  };
}
