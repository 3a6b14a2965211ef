import { row, type Benchmark, type BenchmarkContext, type Row } from '../lib/result.ts';
import { atLeastTimes, atMostTimes } from '../lib/targets.ts';
import { startBaselineRelay } from '../lib/servers.ts';
import { lineChartSvg } from '../lib/svg.ts';
import { startGatewayServer } from '../lib/gateway.ts';
import { callsPerCoreSecond } from './step-merge.ts';
import { signalingVerdict, triedNote } from './verdict.ts';
import {
  CANDIDATES_PER_CALL,
  limitedBy,
  MESSAGES_PER_CALL,
  LOAD_CLIENT,
  P99_LIMIT_MS,
  ramp,
  SERVER_CPU,
  stepsTable,
  type Ramp,
  type RampOptions,
} from './ramp.ts';

/** The Redis-backed gateway at `replicas` processes, all on the server core with its Redis. */
async function gatewayRamp(
  context: BenchmarkContext,
  replicas: number,
  options: Omit<RampOptions, 'redisPid'>,
): Promise<Ramp> {
  const gateway = await startGatewayServer(context, {
    cpus: SERVER_CPU,
    replicas,
    nodeArgs: ['--inspect=127.0.0.1:0'],
  });
  try {
    // Redis is part of the server side: it gets the server's core, not the generator's.
    await gateway.redis.pin(SERVER_CPU);
    return await ramp(context, gateway, {
      ...options,
      redisPid: await gateway.redis.pid(),
      redisCommands: gateway.redis.commandCalls,
    });
  } finally {
    await gateway.stop();
  }
}

/** Gateway + Redis CPU per message at the comparison rate. */
function serverSideMicros(r: Ramp): number | null {
  const c = r.comparison;
  return c === null ? null : c.serverMicrosPerMessage + c.redisMicrosPerMessage;
}

function capacity(r: Ramp): string {
  const us = serverSideMicros(r);
  return us === null ? 'n/a' : callsPerCoreSecond(us, MESSAGES_PER_CALL).toFixed(0);
}

function gatewayRows(gw: Ramp, base: Ramp, half: number): Row[] {
  const label = gw.server;
  const p99Gw = gw.comparison?.latency.p99 ?? null;
  const p99Base = base.comparison?.latency.p99 ?? null;
  return [
    row(
      `${label}: highest sustained rate (p99 < ${P99_LIMIT_MS} ms, zero errors)`,
      'calls/s',
      gw.sustained,
      'baseline relay',
      base.sustained,
      '≥ 0.7× baseline',
      atLeastTimes(gw.sustained, base.sustained, 0.7),
    ),
    row(
      `${label}: p99 emit→delivery at half the baseline's sustained rate (${half} calls/s)`,
      'ms',
      p99Gw,
      'baseline relay',
      p99Base,
      '≤ 1.5× baseline',
      atMostTimes(p99Gw, p99Base, 1.5),
    ),
    row(
      `${label}: p50 emit→delivery at ${half} calls/s`,
      'ms',
      gw.comparison?.latency.p50 ?? null,
      'baseline relay',
      base.comparison?.latency.p50 ?? null,
      '—',
      null,
    ),
    row(
      `${label}: CPU per relayed message at ${half} calls/s, gateway process(es)`,
      'µs',
      gw.comparison?.serverMicrosPerMessage ?? null,
      'baseline relay',
      base.comparison?.serverMicrosPerMessage ?? null,
      '—',
      null,
    ),
    row(
      `${label}: CPU per relayed message at ${half} calls/s, gateway + Redis`,
      'µs',
      serverSideMicros(gw),
      'baseline relay',
      serverSideMicros(base),
      '—',
      null,
    ),
  ];
}

/** `--step` names of this section: one server each (printed, the docs are not rewritten). */
const STEPS = ['baseline', 'gateway', 'gateway2'];

/**
 * The diagnostic loop: `--step gateway` (and/or `baseline`, `gateway2`) runs only those
 * servers, at the rates in `BENCH_SIGNALING_RATES` (e.g. `300,400`), with the comparison
 * step at `BENCH_SIGNALING_COMPARE` calls/s (default: half the server's own sustained rate).
 */
async function diagnose(context: BenchmarkContext, steps: readonly string[]) {
  const unknown = steps.filter((s) => !STEPS.includes(s));
  if (unknown.length > 0) {
    throw new Error(`unknown signaling step(s) ${unknown.join(', ')}; known: ${STEPS.join(', ')}`);
  }
  const rates = (process.env['BENCH_SIGNALING_RATES'] ?? '300,400,500')
    .split(',')
    .map(Number)
    .filter((r) => r > 0);
  const compare = Number(process.env['BENCH_SIGNALING_COMPARE'] ?? '0');
  const options = { rates, stepSeconds: 6, users: 1600, comparisonRate: () => compare };
  const ramps: Ramp[] = [];
  if (steps.includes('baseline')) {
    const baseline = await startBaselineRelay(context.repoRoot, {
      cpus: SERVER_CPU,
      nodeArgs: ['--inspect=127.0.0.1:0'],
    });
    try {
      ramps.push(await ramp(context, baseline, options));
    } finally {
      await baseline.stop();
    }
  }
  if (steps.includes('gateway')) ramps.push(await gatewayRamp(context, 1, options));
  if (steps.includes('gateway2')) ramps.push(await gatewayRamp(context, 2, options));
  return {
    method: 'Diagnostic run (--step): not written to the docs.',
    rows: [],
    details: [...ramps.map(stepsTable), ...ramps.map((r) => r.profile ?? '')].filter(Boolean),
    charts: [],
    notes: [
      ...ramps.map(limitedBy),
      ...(ramps[0]?.server === 'baseline relay'
        ? ramps.slice(1).flatMap((g) => signalingVerdict(g, ramps[0]!))
        : []),
    ],
  };
}

export const signalingBenchmark: Benchmark = {
  name: 'signaling',
  title: '2. Signaling latency and capacity',
  async run(context) {
    if (context.steps !== null) return diagnose(context, context.steps);
    const quick = context.quick;
    const rates = quick
      ? [10, 40, 80]
      : // Up to where the baseline itself fails (the ramp stops after three failed steps).
        [
          25, 50, 100, 150, 200, 300, 400, 500, 650, 800, 1000, 1250, 1500, 1750, 2000, 2500, 3000,
          4000, 5000,
        ];
    const stepSeconds = quick ? 2 : 6;
    // Enough pairs that no socket exceeds the gateway's per-socket rate limit (20 msg/s)
    // up to 2000 calls/s (800 pairs × 2.5 calls/s × 8 messages = 20 msg/s per socket).
    const users = quick ? 200 : 1600;
    const options = { rates, stepSeconds, users };

    const baseline = await startBaselineRelay(context.repoRoot, {
      cpus: SERVER_CPU,
      nodeArgs: ['--inspect=127.0.0.1:0'],
    });
    let base: Ramp;
    try {
      base = await ramp(context, baseline, { ...options, comparisonRate: () => 0 });
    } finally {
      await baseline.stop();
    }
    const half = base.sustained / 2;
    const one = await gatewayRamp(context, 1, { ...options, comparisonRate: () => half });
    const two = await gatewayRamp(context, 2, { ...options, comparisonRate: () => half });
    const gateways = [one, two];

    const chart = (metric: 'p50' | 'p99') =>
      lineChartSvg({
        title: `Signaling ${metric} latency vs offered call rate`,
        xLabel: 'offered call set-ups per second',
        yLabel: `${metric} emit→delivery (ms, log scale)`,
        logY: true,
        series: [
          ...[...gateways, base].map((r) => ({
            name: r.server,
            points: r.steps.map((s) => [s.rate, s.latency[metric]] as const),
          })),
          {
            name: '100 ms limit',
            dashed: true,
            points: [
              [rates[0]!, P99_LIMIT_MS],
              [rates[rates.length - 1]!, P99_LIMIT_MS],
            ],
          },
        ],
      });
    const limits = (r: Ramp) =>
      r.profileSummary
        ? `${r.server} at ${r.profileRate} calls/s: main thread busy ${(r.profileSummary.busy * 100).toFixed(0)} %; busy time in ${r.profileSummary.byArea
            .slice(0, 5)
            .map((a) => `${a.area} ${(a.share * 100).toFixed(0)} %`)
            .join(', ')}`
        : '';
    const notes = [
      ...gateways.flatMap((g) => signalingVerdict(g, base)),
      triedNote(),
      `What limits each server (V8 CPU profile over the inspector, tables above): ${[...gateways, base].map(limits).join('; ')}. A server busy well below 100 % of its core whose p99 still crosses ${P99_LIMIT_MS} ms is limited by scheduling noise on the machine, not by its own CPU.`,
      `What finally limits each ramp: ${[base, ...gateways].map(limitedBy).join('; ')}.`,
      `Generator: ${base.generators} load generator process(es), one per core the server side does not use (\`BENCH_GENERATOR_CPUS\`, \`BENCH_GENERATORS\` override); the busiest one's CPU per step is in the tables. On this 2-core machine that is one process on core 1: a step where it is near 100 % measures the generator, not the server, and no second free core exists to add one.`,
      `Two replicas on 2 cores: both replicas and their Redis share core ${SERVER_CPU} (the generator has the other), so the ×2 rows cannot show scale-out; they show what crossing replicas costs. Every call has its caller on replica 1 and its callee on replica 2, so each relayed message goes through the Redis stream (XADD by one replica, XREAD by both) instead of a local emit. More throughput from a second replica needs a second core for it (and Redis), which this machine does not have.`,
      `Capacity per core from the CPU cost alone (1 s ÷ ((gateway + Redis) µs per message × ${MESSAGES_PER_CALL} messages per call), at the comparison rate): ${gateways.map((g) => `${g.server} ${capacity(g)}`).join(', ')}, baseline relay ${capacity(base)} calls/s — a figure no generator limit caps.`,
      ...[...gateways, base]
        .flatMap((r) => r.incidents)
        .slice(0, 5)
        .map((i) => `Incident during the run: ${i}`),
    ];
    return {
      method: `${users} authenticated socket.io clients (websocket transport; ${LOAD_CLIENT === 'wire' ? 'the generator speaks the socket.io wire protocol over `ws` itself ([bench/src/signaling/wire-client.ts](../bench/src/signaling/wire-client.ts)), lighter per message than socket.io-client, so that one generator core can load one server core' : 'socket.io-client'}) in ${users / 2} caller/callee pairs, spread over 8 loopback source addresses (127.0.0.2–9), run complete call set-ups — \`call:invite\` → \`call:incoming\`, \`call:accept\` → \`call:accepted\`, offer and answer (~4 kB SDP each), ${CANDIDATES_PER_CALL} trickled candidates (both directions at once), \`call:hangup\` → \`call:ended\` — at a fixed open-loop rate for ${stepSeconds} s per step, every message timed from the sender's \`emit\` to the receiver's handler (both in one process, one clock). Three servers, one after the other: the bare relay, the real gateway (\`gateway/dist/main.js\`, PostgreSQL 17, Redis 8 with AOF, \`@socket.io/redis-streams-adapter\`) as one process, and as two replicas on the same Redis with every caller on replica 1 and every callee on replica 2. The server side (relay, or gateway processes plus the Redis container via \`docker update --cpuset-cpus\`) is pinned to core ${SERVER_CPU}, the load generators to the other cores (one process per core); Redis's CPU is read from its host pid and reported apart, and the server core's total busy share (\`/proc/stat\`: every process and the kernel's network work on it) beside both, since the machine is shared. Redis commands, socket.io packets and the server processes' write syscalls per call are logged by the diagnostic loop (\`--step gateway\`, rates in \`BENCH_SIGNALING_RATES\`). A step passes with p99 < ${P99_LIMIT_MS} ms, zero error acks, zero timeouts and no call left waiting for a free pair. The ramp runs until three steps in a row fail. The baseline is [bench/src/baseline/relay-server.ts](../bench/src/baseline/relay-server.ts): same socket.io version, path, namespace, transport and buffer limit, no auth, no validation, no rate limit, no presence, no Redis. After each ramp the gateways run one longer step at half the baseline's sustained rate (the baseline at half its own) for the latency comparison, then one profiled step at the first rate they failed (or their sustained rate).`,
      rows: gateways.flatMap((gw) => gatewayRows(gw, base, half)),
      details: [
        ...[...gateways, base].map(stepsTable),
        ...[...gateways, base].map((r) => r.profile ?? ''),
      ].filter(Boolean),
      charts: [
        { file: 'signaling-p99.svg', title: 'p99 latency vs rate', svg: chart('p99') },
        { file: 'signaling-p50.svg', title: 'p50 latency vs rate', svg: chart('p50') },
      ],
      notes,
    };
  },
};
