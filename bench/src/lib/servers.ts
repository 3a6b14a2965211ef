import { createServer } from 'node:net';
import { join } from 'node:path';
import { startProcess, type StartedProcess } from './process.ts';
import { waitFor } from './time.ts';
import type { BenchUser } from './clients.ts';

/** A signaling server under test: the gateway or the baseline relay. */
export interface SignalingServer {
  name: string;
  /** Base URL, e.g. http://127.0.0.1:3000 (the first replica's). */
  url: string;
  /** The first replica's process. */
  process: StartedProcess;
  /** Every process serving signaling (the gateway may run several replicas on one Redis). */
  replicas: { url: string; process: StartedProcess }[];
  /** Creates `count` users able to open signaling sockets. */
  users: (count: number) => Promise<BenchUser[]>;
  stop: () => Promise<void>;
}

export interface ServerOptions {
  /** Listening port; a free one is picked when omitted. */
  port?: number;
  /** taskset CPU list. */
  cpus?: string;
  /** Extra `node` flags, e.g. --inspect=127.0.0.1:0 --expose-gc --cpu-prof. */
  nodeArgs?: string[];
}

/** A TCP port nobody listens on right now (other people's servers run on this machine too). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Waits until `url` answers HTTP (any status). */
export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    url,
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return true;
    },
    timeoutMs,
    200,
  );
}

export async function startBaselineRelay(
  repoRoot: string,
  options: ServerOptions,
): Promise<SignalingServer> {
  const port = options.port ?? (await freePort());
  const proc = startProcess(
    process.execPath,
    [...(options.nodeArgs ?? []), join(repoRoot, 'bench/src/baseline/relay-server.ts')],
    {
      cpus: options.cpus,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(url, 30_000);
  } catch (error) {
    await proc.stop();
    throw new Error(`baseline relay did not start: ${proc.output().slice(-2000)}`, {
      cause: error,
    });
  }
  let counter = 0;
  return {
    name: 'baseline relay',
    url,
    process: proc,
    replicas: [{ url, process: proc }],
    users: (count) =>
      Promise.resolve(
        Array.from({ length: count }, () => {
          const id = `bench-user-${++counter}`;
          return { id, token: id };
        }),
      ),
    stop: proc.stop,
  };
}
