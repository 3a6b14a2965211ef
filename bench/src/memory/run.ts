/** One server's memory run: idle sockets in levels, then connect/disconnect waves. */
import { sourceAddresses, type BenchUser } from '../lib/clients.ts';
import { InspectorSession } from '../lib/inspector.ts';
import {
  heapSitesMarkdown,
  startHeapSampling,
  stopHeapSampling,
  type HeapSiteSummary,
} from '../lib/profile.ts';
import type { BenchmarkContext } from '../lib/result.ts';
import type { SignalingServer } from '../lib/servers.ts';
import { linearFit } from '../lib/stats.ts';
import { cpuSeconds, openDescriptors } from '../lib/process.ts';
import { sleep, waitFor } from '../lib/time.ts';
import { LoadGenerator } from '../signaling/loadgen-client.ts';

export const SERVER_CPU = '0';
export const CLIENT_CPU = '1';
/**
 * The hard RLIMIT_NOFILE here is 20,000 per process and cannot be raised (not even in a
 * container): the server needs a few descriptors besides its sockets, so the top level
 * is 19,800 connections; bytes per connection are what the targets compare.
 */
export const FULL_LEVELS = [1_000, 5_000, 10_000, 19_800];
export const QUICK_LEVELS = [100, 300, 600];
/** Sockets per client process (each process has the same descriptor limit). */
export const SOCKETS_PER_GENERATOR = 5_000;
export const WAVES = 3;

export interface Sample {
  connections: number;
  heapUsed: number;
  rss: number;
  connectSeconds: number;
  /**
   * Part of heapUsed that is compiled code and bytecode (V8's code and trusted spaces):
   * it grows as a server warms up, whether or not anything is retained per user.
   */
  codeBytes: number;
}

/** V8's heap spaces holding machine code and bytecode (Node 24 / V8 13). */
const CODE_SPACES = [
  'code_space',
  'code_large_object_space',
  'trusted_space',
  'trusted_large_object_space',
];

/** Bytes used in {@link CODE_SPACES} by the inspected process. */
async function codeBytes(inspector: InspectorSession): Promise<number> {
  const reply = (await inspector.send('Runtime.evaluate', {
    // getBuiltinModule: works in the CommonJS gateway and the ESM relay alike.
    expression: `JSON.stringify(process.getBuiltinModule('v8').getHeapSpaceStatistics().filter((s) => ${JSON.stringify(CODE_SPACES)}.includes(s.space_name)).reduce((t, s) => t + s.space_used_size, 0))`,
    returnByValue: true,
  })) as { result: { value: string } };
  return Number(JSON.parse(reply.result.value));
}

export interface ServerRun {
  server: string;
  idle: Sample;
  levels: Sample[];
  waves: Sample[];
  afterWaves: Sample;
  /** Slope of the least-squares line through the level samples. */
  heapPerConnection: number;
  rssPerConnection: number;
  heapR2: number;
  rssR2: number;
  /** Where the first level's sockets keep their memory. */
  heapSites: string;
  heapSummary: HeapSiteSummary | null;
  firstLevel: number;
}

/**
 * Waits (at most 30 s) until the server processes are nearly idle: a closed socket's work
 * in the gateway (presence and call records in Redis) runs after the descriptor is gone,
 * and its pending promises would be counted as retained memory.
 */
async function quiescent(pids: readonly number[]): Promise<void> {
  const busy = () => pids.reduce((t, pid) => t + cpuSeconds(pid), 0);
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const before = busy();
    await sleep(500);
    if ((busy() - before) / 0.5 < 0.05 * pids.length) return;
  }
}

/** Heap and RSS summed over every process of the server (its replicas), after a full GC. */
async function measure(
  inspectors: readonly InspectorSession[],
  connections: number,
  connectSeconds: number,
  pids: readonly number[],
): Promise<Sample> {
  await quiescent(pids);
  // node-redis arms an AbortSignal.timeout (the gateway's 2 s command timeout) for every
  // command and keeps it until it fires, finished or not: the last burst's have expired
  // by the reading (measured: they were not what the gateway retains after the waves).
  await sleep(2500);
  await Promise.all(inspectors.map((i) => i.collectGarbage()));
  await sleep(500);
  const usages = await Promise.all(inspectors.map((i) => i.memoryUsage()));
  const code = await Promise.all(inspectors.map(codeBytes));
  const sum = (pick: (u: NodeJS.MemoryUsage) => number) => usages.reduce((t, u) => t + pick(u), 0);
  return {
    connections,
    heapUsed: sum((u) => u.heapUsed),
    rss: sum((u) => u.rss),
    connectSeconds,
    codeBytes: code.reduce((t, b) => t + b, 0),
  };
}

export async function runServer(
  context: BenchmarkContext,
  server: SignalingServer,
  levels: readonly number[],
): Promise<ServerRun> {
  const top = levels[levels.length - 1]!;
  // Waves 2 and 3 reconnect half the top level: the leak check needs churn, not the
  // descriptor limit, and it halves the section's run time.
  const waveSize = Math.round(top / 2);
  const generatorCount = Math.ceil(top / SOCKETS_PER_GENERATOR);
  const generators: LoadGenerator[] = [];
  const inspectors = await Promise.all(
    server.replicas.map((r) => InspectorSession.attach(r.process)),
  );
  // The heap sampling runs on one process: with replicas it would see half the sockets.
  const inspector = inspectors[0]!;
  const heapSampling = inspectors.length === 1;
  const pids = server.replicas.map((r) => r.process.pid);
  const descriptors = () => server.replicas.reduce((t, r) => t + openDescriptors(r.process.pid), 0);
  try {
    for (let i = 0; i < generatorCount; i++) {
      generators.push(await LoadGenerator.start(context.repoRoot, CLIENT_CPU));
    }
    // One account per socket, as people connect (each account's socket count is capped).
    const accounts = await server.users(top);
    const addresses = sourceAddresses(8);
    // Socket i belongs to account i mod ACCOUNTS and lives in generator i mod count.
    const connectTo = async (from: number, to: number): Promise<number> => {
      const started = performance.now();
      await Promise.all(
        generators.map((generator, g) => {
          const users: BenchUser[] = [];
          for (let i = from; i < to; i++) {
            if (i % generatorCount === g) users.push(accounts[i]!);
          }
          return users.length > 0
            ? generator.connect(
                server.replicas.map((r) => r.url),
                users,
                addresses,
              )
            : Promise.resolve(0);
        }),
      );
      return (performance.now() - started) / 1000;
    };
    const idle = await measure(inspectors, 0, 0, pids);
    const descriptorsAtIdle = descriptors();
    context.log(
      `${server.name}: idle heap ${(idle.heapUsed / 2 ** 20).toFixed(1)} MiB, RSS ${(idle.rss / 2 ** 20).toFixed(1)} MiB`,
    );
    const samples: Sample[] = [];
    let connected = 0;
    let heapSites = '';
    let heapSummary: HeapSiteSummary | null = null;
    for (const level of levels) {
      const sampling = heapSampling && level === levels[0];
      if (sampling) await startHeapSampling(inspector);
      const seconds = await connectTo(connected, level);
      if (sampling) {
        heapSummary = await stopHeapSampling(inspector, context.repoRoot);
        heapSites = heapSitesMarkdown(
          `${server.name}, ${level.toLocaleString('en-US')} idle sockets`,
          heapSummary,
          level,
          'socket',
        );
      }
      connected = level;
      const sample = await measure(inspectors, level, seconds, pids);
      samples.push(sample);
      context.log(
        `${server.name}: ${level} sockets (connected in ${seconds.toFixed(1)} s): heap ${(sample.heapUsed / 2 ** 20).toFixed(1)} MiB, RSS ${(sample.rss / 2 ** 20).toFixed(1)} MiB`,
      );
    }
    // Closing is asynchronous on the server: wait until its descriptors are back near the
    // idle count, or the next wave would run into the descriptor limit.
    const idleDescriptors = descriptorsAtIdle;
    const disconnectAll = async (): Promise<void> => {
      await Promise.all(generators.map((g) => g.disconnect()));
      await waitFor(
        `${server.name} to close its sockets`,
        () => (descriptors() <= idleDescriptors + 20 ? true : undefined),
        90_000,
        250,
      );
    };
    const waves: Sample[] = [];
    for (let wave = 1; wave <= WAVES; wave++) {
      await disconnectAll();
      const seconds = wave === 1 ? 0 : await connectTo(0, waveSize);
      if (wave > 1) waves.push(await measure(inspectors, waveSize, seconds, pids));
      if (wave > 1) await disconnectAll();
      if (wave === 1) {
        // The level ramp above was the first connect; waves 2 and 3 reconnect half of it.
        context.log(`${server.name}: wave 1 disconnected`);
      } else {
        context.log(
          `${server.name}: wave ${wave} reconnected ${waveSize} in ${seconds.toFixed(1)} s and disconnected`,
        );
      }
    }
    const afterWaves = await measure(inspectors, 0, 0, pids);
    context.log(
      `${server.name}: after ${WAVES} waves + GC heap ${(afterWaves.heapUsed / 2 ** 20).toFixed(1)} MiB`,
    );
    const heapFit = linearFit(
      samples.map((s) => [s.connections, s.heapUsed - idle.heapUsed] as const),
    );
    const rssFit = linearFit(samples.map((s) => [s.connections, s.rss - idle.rss] as const));
    return {
      server: server.name,
      idle,
      levels: samples,
      waves,
      afterWaves,
      heapPerConnection: heapFit.slope,
      rssPerConnection: rssFit.slope,
      heapR2: heapFit.r2,
      rssR2: rssFit.r2,
      heapSites,
      heapSummary,
      firstLevel: levels[0]!,
    };
  } finally {
    for (const i of inspectors) i.close();
    for (const generator of generators) await generator.stop();
  }
}

export function table(r: ServerRun): string {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const lines = [
    `**${r.server}**`,
    '',
    '| Sockets | Connect time s | Heap used MiB | RSS MiB | Heap bytes/socket | RSS bytes/socket |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| 0 (idle) | — | ${mib(r.idle.heapUsed)} | ${mib(r.idle.rss)} | — | — |`,
    ...r.levels.map(
      (s) =>
        `| ${s.connections.toLocaleString('en-US')} | ${s.connectSeconds.toFixed(1)} | ${mib(s.heapUsed)} | ${mib(s.rss)} | ${Math.round((s.heapUsed - r.idle.heapUsed) / s.connections).toLocaleString('en-US')} | ${Math.round((s.rss - r.idle.rss) / s.connections).toLocaleString('en-US')} |`,
    ),
    ...r.waves.map(
      (s, i) =>
        `| ${s.connections.toLocaleString('en-US')} (wave ${i + 2}) | ${s.connectSeconds.toFixed(1)} | ${mib(s.heapUsed)} | ${mib(s.rss)} | ${Math.round((s.heapUsed - r.idle.heapUsed) / s.connections).toLocaleString('en-US')} | ${Math.round((s.rss - r.idle.rss) / s.connections).toLocaleString('en-US')} |`,
    ),
    `| 0 (after ${WAVES} waves + GC) | — | ${mib(r.afterWaves.heapUsed)} | ${mib(r.afterWaves.rss)} | — | — |`,
    '',
    `Least-squares slope over the levels: heap ${Math.round(r.heapPerConnection).toLocaleString('en-US')} B/socket (r² ${r.heapR2.toFixed(4)}), RSS ${Math.round(r.rssPerConnection).toLocaleString('en-US')} B/socket (r² ${r.rssR2.toFixed(4)}).`,
  ];
  return lines.join('\n');
}
