import { randomBytes } from 'node:crypto';
import { onCleanup } from './cleanup.ts';
import { run } from './process.ts';

/** A short random suffix so parallel or leftover runs never collide on names. */
export const RUN_ID = randomBytes(3).toString('hex');

export function docker(args: readonly string[], timeoutMs = 600_000): Promise<string> {
  return run('docker', args, { timeoutMs });
}

/** Creates a bridge network the bench owns; removed at cleanup. */
export async function createNetwork(
  name: string,
): Promise<{ name: string; remove: () => Promise<void> }> {
  const full = `callgate-bench-${name}-${RUN_ID}`;
  await docker(['network', 'create', full]);
  const remove = onCleanup(`network ${full}`, async () => {
    await docker(['network', 'rm', full]).catch(() => undefined);
  });
  return { name: full, remove };
}

export interface Container {
  name: string;
  id: string;
  /** Host PID of the container's main process. */
  pid: () => Promise<number>;
  ip: () => Promise<string>;
  logs: () => Promise<string>;
  remove: () => Promise<void>;
}

/** `docker run -d` with the given arguments (before the image); removed at cleanup. */
export async function runContainer(
  name: string,
  runArgs: readonly string[],
  image: string,
  command: readonly string[] = [],
): Promise<Container> {
  const full = `callgate-bench-${name}-${RUN_ID}`;
  const id = (await docker(['run', '-d', '--name', full, ...runArgs, image, ...command])).trim();
  const remove = onCleanup(`container ${full}`, async () => {
    await docker(['rm', '-f', full]).catch(() => undefined);
  });
  return {
    name: full,
    id,
    pid: async () => Number((await docker(['inspect', '-f', '{{.State.Pid}}', full])).trim()),
    ip: async () =>
      (
        await docker([
          'inspect',
          '-f',
          '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
          full,
        ])
      ).trim(),
    logs: async () => {
      const out = await run('sh', ['-c', `docker logs ${full} 2>&1 | tail -200`]);
      return out;
    },
    remove,
  };
}
