import { startGatewayServer } from '../lib/gateway.ts';
import { row, type Benchmark, type BenchmarkContext, type Row } from '../lib/result.ts';
import { atLeast, atMost, atMostTimes, below } from '../lib/targets.ts';
import { startBaselineRelay } from '../lib/servers.ts';
import { lineChartSvg } from '../lib/svg.ts';
import { presenceFanout, type PresenceFanout } from './presence.ts';
import {
  CLIENT_CPU,
  FULL_LEVELS,
  QUICK_LEVELS,
  runServer,
  SERVER_CPU,
  SOCKETS_PER_GENERATOR,
  table,
  WAVES,
  type ServerRun,
} from './run.ts';

const NODE_ARGS = ['--inspect=127.0.0.1:0'];

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
    `Where the gateway's extra memory sits: the sampling heap profile (tables above) puts its extra retained memory per idle socket beyond the baseline in ${extra.map((a) => `${a.area} (+${Math.round(a.bytes).toLocaleString('en-US')} B)`).join(', ')}.`,
  ];
}

/** What the heap after the waves holds beyond the idle heap: compiled code vs the rest. */
function afterWavesNote(runs: readonly ServerRun[]): string {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const parts = runs.map((r) => {
    const extra = r.afterWaves.heapUsed - r.idle.heapUsed;
    const code = r.afterWaves.codeBytes - r.idle.codeBytes;
    return `${r.server} +${mib(extra)} MiB, of which compiled code and bytecode +${mib(code)} MiB and everything else ${mib(extra - code)} MiB`;
  });
  return `Heap after the ${WAVES} waves vs idle, split by V8 heap space (\`v8.getHeapSpaceStatistics()\` through the inspector: code and trusted spaces vs the rest): ${parts.join('; ')}. Code compiled while the server first handles connections stays; what the target is about (state kept per departed user) is in the rest.`;
}

/** Per socket, how much of the RSS slope is outside the JS heap (native, allocator slack). */
function outsideHeapNote(runs: readonly ServerRun[]): string {
  const parts = runs.map(
    (r) =>
      `${r.server} ${Math.round(r.rssPerConnection - r.heapPerConnection).toLocaleString('en-US')} B`,
  );
  return `RSS slope minus heap slope (memory per socket outside the JS heap: buffers, native socket state, and each process's own V8 pages and allocator slack): ${parts.join(', ')}. Two replicas pay this per process, which is why their RSS per socket exceeds their heap per socket by more than one process's does.`;
}

/** The gateway as `replicas` processes on one Redis; with `fanout`, the presence row too. */
async function gatewayRun(
  context: BenchmarkContext,
  replicas: number,
  levels: readonly number[],
  fanout?: { online: number; contacts: number },
): Promise<{ run: ServerRun; fanout: PresenceFanout | null }> {
  const server = await startGatewayServer(context, {
    cpus: SERVER_CPU,
    replicas,
    nodeArgs: NODE_ARGS,
  });
  try {
    await server.redis.pin(SERVER_CPU);
    const run = await runServer(context, server, levels);
    const presence = fanout
      ? await presenceFanout(context, server, CLIENT_CPU, fanout.online, fanout.contacts)
      : null;
    return { run, fanout: presence };
  } finally {
    await server.stop();
  }
}

function memoryRows(gw: ServerRun, base: ServerRun, top: number): Row[] {
  const heapBack = gw.afterWaves.heapUsed / gw.idle.heapUsed - 1;
  const baseHeapBack = base.afterWaves.heapUsed / base.idle.heapUsed - 1;
  const topGw = gw.levels[gw.levels.length - 1]!;
  const topBase = base.levels[base.levels.length - 1]!;
  const label = gw.server;
  return [
    row(
      `${label}: heap per connection (slope)`,
      'B',
      gw.heapPerConnection,
      'baseline relay',
      base.heapPerConnection,
      '≤ 1.5× baseline',
      atMostTimes(gw.heapPerConnection, base.heapPerConnection, 1.5),
    ),
    row(
      `${label}: RSS per connection (slope)`,
      'B',
      gw.rssPerConnection,
      'baseline relay',
      base.rssPerConnection,
      '≤ 1.5× baseline',
      atMostTimes(gw.rssPerConnection, base.rssPerConnection, 1.5),
    ),
    row(
      `${label}: linearity of heap growth (r² of the line)`,
      '',
      gw.heapR2,
      'baseline relay',
      base.heapR2,
      'r² ≥ 0.99',
      atLeast(gw.heapR2, 0.99),
    ),
    row(
      `${label}: heap after ${WAVES} connect/disconnect waves + GC vs idle heap before them`,
      '%',
      heapBack * 100,
      'baseline relay',
      baseHeapBack * 100,
      '≤ +10 %',
      atMost(heapBack, 0.1),
    ),
    row(
      `${label}: RSS at ${top.toLocaleString('en-US')} connections (all processes)`,
      'MiB',
      topGw.rss / 2 ** 20,
      'baseline relay',
      topBase.rss / 2 ** 20,
      '< 1024 MiB',
      below(topGw.rss, 2 ** 30),
    ),
  ];
}

export const memoryBenchmark: Benchmark = {
  name: 'memory',
  title: '3. Memory per idle authenticated connection',
  async run(context) {
    const levels = context.quick ? QUICK_LEVELS : FULL_LEVELS;
    const top = levels[levels.length - 1]!;
    const fanoutSize = context.quick
      ? { online: 300, contacts: 20 }
      : { online: 5_000, contacts: 50 };

    const baselineServer = await startBaselineRelay(context.repoRoot, {
      cpus: SERVER_CPU,
      nodeArgs: NODE_ARGS,
    });
    let base: ServerRun;
    try {
      base = await runServer(context, baselineServer, levels);
    } finally {
      await baselineServer.stop();
    }
    const one = await gatewayRun(context, 1, levels, fanoutSize);
    const two = await gatewayRun(context, 2, levels);
    const gw = one.run;
    const fanout = one.fanout!;
    const rssAt20k = gw.idle.rss + gw.rssPerConnection * 20_000;
    const fanoutMessages = fanout.heardByOthers + fanout.toNewcomer;
    const rows = [
      ...memoryRows(gw, base, top),
      row(
        `${gw.server}: RSS at 20,000 connections (idle RSS + 20,000 × RSS slope)`,
        'MiB',
        rssAt20k / 2 ** 20,
        'baseline relay',
        (base.idle.rss + base.rssPerConnection * 20_000) / 2 ** 20,
        '< 1024 MiB',
        below(rssAt20k, 2 ** 30),
      ),
      ...memoryRows(two.run, base, top),
      row(
        `Messages caused by one more connect at ${fanout.online.toLocaleString('en-US')} online (each watching ${fanout.contacts})`,
        'messages',
        fanoutMessages,
        'old design (computed, not run: online list + broadcast to every socket)',
        fanout.online + 1,
        `≤ its ${fanout.contacts} watchers + 1 ack`,
        atMost(fanoutMessages, fanout.contacts + 1),
      ),
    ];
    const runs = [gw, two.run, base];
    const chart = (metric: 'heapUsed' | 'rss', label: string) =>
      lineChartSvg({
        title: `${label} vs open sockets`,
        xLabel: 'open authenticated sockets',
        yLabel: `${label} (MiB, all processes)`,
        series: runs.map((r) => ({
          name: r.server,
          points: [r.idle, ...r.levels].map((s) => [s.connections, s[metric] / 2 ** 20] as const),
        })),
      });
    return {
      method: `Idle websocket connections are opened to each server (pinned to core ${SERVER_CPU}) by ${Math.ceil(top / SOCKETS_PER_GENERATOR)} client processes (pinned to core ${CLIENT_CPU}, ≤ ${SOCKETS_PER_GENERATOR.toLocaleString('en-US')} sockets each, over 8 loopback source addresses) in levels of ${levels.map((l) => l.toLocaleString('en-US')).join(', ')}. Three servers: the bare relay, the real gateway with PostgreSQL 17, Redis 8 (AOF, pinned to the same core) and \`@socket.io/redis-streams-adapter\` as one process, and as two replicas on that Redis with the sockets alternating between them; heap and RSS are summed over the replicas (Redis's own memory is not counted). At each level the bench waits until the server processes are idle (< 5 % CPU over 0.5 s, at most 30 s: a closed socket's presence and call bookkeeping runs after its descriptor is gone), then forces a full GC through the inspector protocol (\`node --inspect=127.0.0.1:0\`, \`HeapProfiler.collectGarbage\` twice — nothing added to the product) and reads \`process.memoryUsage()\` (heap used, RSS) the same way. Then ${WAVES} waves: all sockets close, and twice more ${Math.round(top / 2).toLocaleString('en-US')} sockets reconnect and close; a last GC and reading with no socket open is compared with the idle reading taken before the first connection. Gateway sockets carry real access tokens (verified at the handshake, session checked in Redis, user loaded from PostgreSQL, presence recorded in Redis), one account per socket. Presence fan-out: ${fanout.online.toLocaleString('en-US')} more sockets (one account each) subscribe to ${fanout.contacts} contacts each (\`presence:subscribe\`, a symmetric ring), then one more person connects and subscribes to their ${fanout.contacts} contacts (who watch them); every message that connect caused is counted at the receivers over ${2} s.`,
      rows,
      details: [...runs.map(table), gw.heapSites, base.heapSites].filter(Boolean),
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
        afterWavesNote(runs),
        outsideHeapNote(runs),
        `Top level is ${top.toLocaleString('en-US')}, not 20,000: the hard limit on open files per process on this machine is 20,000 (\`ulimit -Hn\`), cannot be raised here (no CAP_SYS_RESOURCE; Docker's \`--ulimit\` is refused too), and the server needs a few descriptors besides its sockets. The 20k row extrapolates the measured RSS slope.`,
        `Two replicas: each process holds half the sockets, and the per-connection slope is taken over the sum of both, so the ×2 rows show what a second process costs per socket (its own heap, adapter and Redis clients show up in the idle reading, not the slope). Both replicas share core ${SERVER_CPU}; memory, unlike throughput, does not depend on cores.`,
        `Presence: one more connect at ${fanout.online.toLocaleString('en-US')} online caused ${fanout.heardByOthers} \`presence\` events at the other sockets (its ${fanout.contacts} watchers) and ${fanout.toNewcomer} message(s) to the newcomer (its subscribe ack with who is online). The "before" figure is computed, not run: the old design sent every new socket the whole online list (1 message) and broadcast \`presence\` to every socket (${fanout.online.toLocaleString('en-US')}), ≈ N per connect and O(N²) for a connect storm.`,
      ],
    };
  },
};
