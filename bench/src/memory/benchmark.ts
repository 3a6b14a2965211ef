import { sourceAddresses, type BenchUser } from '../lib/clients.ts';
import { startGatewayServer } from '../lib/gateway.ts';
import { InspectorSession } from '../lib/inspector.ts';
import {
  heapSitesMarkdown,
  startHeapSampling,
  stopHeapSampling,
  type HeapSiteSummary,
} from '../lib/profile.ts';
import { row, type Benchmark, type BenchmarkContext } from '../lib/result.ts';
import { atLeast, atMost, atMostTimes, below } from '../lib/targets.ts';
import { startBaselineRelay, type SignalingServer } from '../lib/servers.ts';
import { linearFit } from '../lib/stats.ts';
import { lineChartSvg } from '../lib/svg.ts';
import { openDescriptors } from '../lib/process.ts';
import { sleep, waitFor } from '../lib/time.ts';
import { LoadGenerator } from '../signaling/loadgen-client.ts';

const SERVER_CPU = '0';
const CLIENT_CPU = '1';
/**
 * The hard RLIMIT_NOFILE here is 20,000 per process and cannot be raised (not even in a
 * container): the server needs a few descriptors besides its sockets, so the top level
 * is 19,800 connections; bytes per connection are what the targets compare.
 */
const FULL_LEVELS = [1_000, 5_000, 10_000, 19_800];
const QUICK_LEVELS = [100, 300, 600];
/** Sockets per client process (each process has the same descriptor limit). */
const SOCKETS_PER_GENERATOR = 5_000;
/**
 * Accounts behind the sockets; every account holds level / ACCOUNTS sockets (tabs).
 * The gateway broadcasts `presence` to every socket when an account comes online and
 * sends each new socket the full online list, so N distinct accounts cost O(N²)
 * messages at connect — ~2×10⁸ for 20k, far beyond this benchmark's time budget.
 */
const ACCOUNTS = 200;
const WAVES = 3;

interface Sample {
  connections: number;
  heapUsed: number;
  rss: number;
  connectSeconds: number;
}

interface ServerRun {
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

async function measure(
  inspector: InspectorSession,
  connections: number,
  connectSeconds: number,
): Promise<Sample> {
  await sleep(1500);
  await inspector.collectGarbage();
  await sleep(500);
  const usage = await inspector.memoryUsage();
  return { connections, heapUsed: usage.heapUsed, rss: usage.rss, connectSeconds };
}

async function runServer(
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
  const inspector = await InspectorSession.attach(server.process);
  try {
    for (let i = 0; i < generatorCount; i++) {
      generators.push(await LoadGenerator.start(context.repoRoot, CLIENT_CPU));
    }
    const accounts = await server.users(ACCOUNTS);
    const addresses = sourceAddresses(8);
    // Socket i belongs to account i mod ACCOUNTS and lives in generator i mod count.
    const connectTo = async (from: number, to: number): Promise<number> => {
      const started = performance.now();
      await Promise.all(
        generators.map((generator, g) => {
          const users: BenchUser[] = [];
          for (let i = from; i < to; i++) {
            if (i % generatorCount === g) users.push(accounts[i % ACCOUNTS]!);
          }
          return users.length > 0
            ? generator.connect(server.url, users, addresses)
            : Promise.resolve(0);
        }),
      );
      return (performance.now() - started) / 1000;
    };
    const idle = await measure(inspector, 0, 0);
    const descriptorsAtIdle = openDescriptors(server.process.pid);
    context.log(
      `${server.name}: idle heap ${(idle.heapUsed / 2 ** 20).toFixed(1)} MiB, RSS ${(idle.rss / 2 ** 20).toFixed(1)} MiB`,
    );
    const samples: Sample[] = [];
    let connected = 0;
    let heapSites = '';
    let heapSummary: HeapSiteSummary | null = null;
    for (const level of levels) {
      const sampling = level === levels[0];
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
      const sample = await measure(inspector, level, seconds);
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
        () => (openDescriptors(server.process.pid) <= idleDescriptors + 20 ? true : undefined),
        90_000,
        250,
      );
    };
    const waves: Sample[] = [];
    for (let wave = 1; wave <= WAVES; wave++) {
      await disconnectAll();
      const seconds = wave === 1 ? 0 : await connectTo(0, waveSize);
      if (wave > 1) waves.push(await measure(inspector, waveSize, seconds));
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
    const afterWaves = await measure(inspector, 0, 0);
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
    inspector.close();
    for (const generator of generators) await generator.stop();
  }
}

function table(r: ServerRun): string {
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

const RXJS_EXPLANATION = `An rxjs share is NestJS's socket.io adapter (\`IoAdapter.bindMessageHandlers\`, @nestjs/platform-socket.io), which builds a \`fromEvent\` → \`mergeMap\` pipeline with its subscriptions for every \`@SubscribeMessage\` handler on every connected socket; registering one \`socket.onAny\` dispatcher per socket (a small custom adapter), or plain \`socket.on\` handlers in the gateway, would remove it. Not changed here: the gateway belongs to another part of the project.`;

/** The areas (package or folder) where the gateway retains most beyond the baseline. */
function extraRetained(gw: ServerRun, base: ServerRun): string[] {
  if (!gw.heapSummary || !base.heapSummary) return [];
  const perSocket = (run: ServerRun, area: string) =>
    (run.heapSummary!.byArea.find((a) => a.area === area)?.bytes ?? 0) / run.firstLevel;
  const extra = gw.heapSummary.byArea
    .map((a) => ({ area: a.area, bytes: perSocket(gw, a.area) - perSocket(base, a.area) }))
    .filter((a) => a.bytes > 500)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 4);
  if (extra.length === 0) return [];
  return [
    `What limits it: the sampling heap profile (tables above) puts the gateway's extra retained memory per idle socket in ${extra.map((a) => `${a.area} (+${Math.round(a.bytes).toLocaleString('en-US')} B)`).join(', ')}. ${extra.some((a) => a.area === 'rxjs') ? RXJS_EXPLANATION : ''}`,
  ];
}

export const memoryBenchmark: Benchmark = {
  name: 'memory',
  title: '3. Memory per idle authenticated connection',
  async run(context) {
    const levels = context.quick ? QUICK_LEVELS : FULL_LEVELS;
    const top = levels[levels.length - 1]!;
    const nodeArgs = ['--inspect=127.0.0.1:0'];

    const baselineServer = await startBaselineRelay(context.repoRoot, {
      cpus: SERVER_CPU,
      nodeArgs,
    });
    let base: ServerRun;
    try {
      base = await runServer(context, baselineServer, levels);
    } finally {
      await baselineServer.stop();
    }
    const gatewayServer = await startGatewayServer(context, {
      cpus: SERVER_CPU,
      nodeArgs,
    });
    let gw: ServerRun;
    try {
      gw = await runServer(context, gatewayServer, levels);
    } finally {
      await gatewayServer.stop();
    }

    const heapBack = gw.afterWaves.heapUsed / gw.idle.heapUsed - 1;
    const baseHeapBack = base.afterWaves.heapUsed / base.idle.heapUsed - 1;
    const topGw = gw.levels[gw.levels.length - 1]!;
    const topBase = base.levels[base.levels.length - 1]!;
    const rssAt20k = gw.idle.rss + gw.rssPerConnection * 20_000;
    const rows = [
      row(
        'Heap per connection (slope)',
        'B',
        gw.heapPerConnection,
        'baseline relay',
        base.heapPerConnection,
        '≤ 1.5× baseline',
        atMostTimes(gw.heapPerConnection, base.heapPerConnection, 1.5),
      ),
      row(
        'RSS per connection (slope)',
        'B',
        gw.rssPerConnection,
        'baseline relay',
        base.rssPerConnection,
        '≤ 1.5× baseline',
        atMostTimes(gw.rssPerConnection, base.rssPerConnection, 1.5),
      ),
      row(
        'Linearity of heap growth (r² of the line)',
        '',
        gw.heapR2,
        'baseline relay',
        base.heapR2,
        'r² ≥ 0.99',
        atLeast(gw.heapR2, 0.99),
      ),
      row(
        `Heap after ${WAVES} connect/disconnect waves + GC vs idle heap before them`,
        '%',
        heapBack * 100,
        'baseline relay',
        baseHeapBack * 100,
        '≤ +10 %',
        atMost(heapBack, 0.1),
      ),
      row(
        `RSS at ${top.toLocaleString('en-US')} connections`,
        'MiB',
        topGw.rss / 2 ** 20,
        'baseline relay',
        topBase.rss / 2 ** 20,
        '< 1024 MiB',
        below(topGw.rss, 2 ** 30),
      ),
      row(
        'RSS at 20,000 connections (idle RSS + 20,000 × RSS slope)',
        'MiB',
        rssAt20k / 2 ** 20,
        'baseline relay',
        (base.idle.rss + base.rssPerConnection * 20_000) / 2 ** 20,
        '< 1024 MiB',
        below(rssAt20k, 2 ** 30),
      ),
    ];
    const chart = (metric: 'heapUsed' | 'rss', label: string) =>
      lineChartSvg({
        title: `${label} vs open sockets`,
        xLabel: 'open authenticated sockets',
        yLabel: `${label} (MiB)`,
        series: [gw, base].map((r) => ({
          name: r.server,
          points: [r.idle, ...r.levels].map((s) => [s.connections, s[metric] / 2 ** 20] as const),
        })),
      });
    return {
      method: `Idle websocket connections are opened to each server (pinned to core ${SERVER_CPU}) by ${Math.ceil(top / SOCKETS_PER_GENERATOR)} client processes (pinned to core ${CLIENT_CPU}, ≤ ${SOCKETS_PER_GENERATOR.toLocaleString('en-US')} sockets each, over 8 loopback source addresses) in levels of ${levels.map((l) => l.toLocaleString('en-US')).join(', ')}. At each level the bench forces a full GC through the inspector protocol (\`node --inspect=127.0.0.1:0\`, \`HeapProfiler.collectGarbage\` twice — nothing added to the product) and reads \`process.memoryUsage()\` (heap used, RSS) the same way. Then ${WAVES} waves: all sockets close, and twice more ${Math.round(top / 2).toLocaleString('en-US')} sockets reconnect and close; a last GC and reading with no socket open is compared with the idle reading taken before the first connection. Gateway sockets carry real access tokens (verified at the handshake, user loaded from PostgreSQL); ${ACCOUNTS} accounts hold the sockets (up to ${Math.ceil(top / ACCOUNTS)} tabs each). The baseline is the same minimal relay as in section 2.`,
      rows,
      details: [table(gw), table(base), gw.heapSites, base.heapSites],
      charts: [
        {
          file: 'memory-heap.svg',
          title: 'Heap used vs sockets',
          svg: chart('heapUsed', 'Heap used'),
        },
        { file: 'memory-rss.svg', title: 'RSS vs sockets', svg: chart('rss', 'RSS') },
      ],
      notes: [
        ...extraRetained(gw, base),
        `Top level is ${top.toLocaleString('en-US')}, not 20,000: the hard limit on open files per process on this machine is 20,000 (\`ulimit -Hn\`), cannot be raised here (no CAP_SYS_RESOURCE; Docker's \`--ulimit\` is refused too), and the server needs a few descriptors besides its sockets. The 20k row extrapolates the measured RSS slope.`,
        `Why ${ACCOUNTS} accounts and not one per socket: the gateway sends every new socket the whole online list and broadcasts \`presence\` to every socket when an account comes online — O(N²) messages for N accounts connecting (≈2×10⁸ for 20k). That connect storm, not idle memory, is what limits the gateway's connection count; it is measured in section 2's connect times and belongs in the gateway's backlog (presence scoped to contacts, snapshot paginated).`,
      ],
    };
  },
};
