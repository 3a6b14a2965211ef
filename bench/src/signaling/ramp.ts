import { readFileSync, writeFileSync } from 'node:fs';
import { sourceAddresses } from '../lib/clients.ts';
import { InspectorSession } from '../lib/inspector.ts';
import {
  profileDuring,
  profileMarkdown,
  summarizeProfile,
  type ProfileSummary,
} from '../lib/profile.ts';
import type { BenchmarkContext } from '../lib/result.ts';
import type { SignalingServer } from '../lib/servers.ts';
import { cpuSeconds, writeSyscalls } from '../lib/process.ts';
import { commandsBetween } from '../lib/redis.ts';
import { GeneratorPool, generatorLayout } from './generator-pool.ts';
import type { StepResult } from './loadgen-protocol.ts';
import type { LoadClientKind } from './load-socket.ts';
import { cpuMicrosPerMessage } from './step-merge.ts';

export const SERVER_CPU = '0';
/**
 * The generators' client: the lean wire client unless `BENCH_SIGNALING_CLIENT=socket.io`
 * (socket.io-client, as sessions before 5 measured).
 */
export const LOAD_CLIENT: LoadClientKind =
  process.env['BENCH_SIGNALING_CLIENT'] === 'socket.io' ? 'socket.io' : 'wire';
export const P99_LIMIT_MS = 100;
export const CANDIDATES_PER_CALL = 10;
/** Relayed messages per call: invite, accept, offer, answer, candidates, hangup. */
export const MESSAGES_PER_CALL = 5 + CANDIDATES_PER_CALL;

/** A step as the orchestrator saw it: the generators' result plus the server side's CPU. */
export interface MeasuredStep extends StepResult {
  /** CPU of every server process (all replicas) over the step, as a fraction of one core. */
  serverCpu: number;
  /** Server processes' CPU per delivered message, µs. */
  serverMicrosPerMessage: number;
  /** Redis's CPU per delivered message, µs (0 for the baseline, which has none). */
  redisMicrosPerMessage: number;
  /** Redis's CPU over the step, as a fraction of one core. */
  redisCpu: number;
  /**
   * How busy the server core was over the step, whoever used it (`/proc/stat`): server
   * processes, Redis, kernel network work, and any other process of the machine.
   */
  serverCoreBusy?: number;
}

/** Busy and total jiffies of one CPU from `/proc/stat` (idle and iowait are not busy). */
function coreJiffies(cpu: string): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  const fields = (line ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((t, v) => t + v, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

export function passed(step: StepResult): boolean {
  return (
    step.latency.p99 < P99_LIMIT_MS &&
    Object.keys(step.errors).length === 0 &&
    step.backlogged === 0 &&
    step.completed === step.attempted
  );
}

export interface Ramp {
  server: string;
  steps: MeasuredStep[];
  /** Highest offered rate that passed (calls/s); 0 when none did. */
  sustained: number;
  /** Step at the comparison rate. */
  comparison: MeasuredStep | null;
  generators: number;
  profile: string | null;
  profileSummary: ProfileSummary | null;
  profileRate: number;
  incidents: string[];
}

export interface RampOptions {
  rates: readonly number[];
  stepSeconds: number;
  users: number;
  /** Rate of the longer latency-comparison step; 0 = half this server's sustained rate. */
  comparisonRate: () => number;
  /** Host pid of the Redis the server uses, when it has one (its CPU is counted apart). */
  redisPid?: number;
  /** Reads Redis's `INFO commandstats` (calls per command), to log commands per call set-up. */
  redisCommands?: () => Promise<Map<string, number>>;
}

/**
 * Ramps the offered call rate until three steps in a row fail (or p99 passes 1 s), then
 * runs one longer step at the comparison rate and one profiled step where it broke.
 */
export async function ramp(
  context: BenchmarkContext,
  server: SignalingServer,
  options: RampOptions,
): Promise<Ramp> {
  const { rates, stepSeconds, users, redisPid, redisCommands } = options;
  const layout = generatorLayout(SERVER_CPU);
  const generator = await GeneratorPool.start(context.repoRoot, layout.cpus, layout.processes);
  const pids = server.replicas.map((r) => r.process.pid);
  const serverSeconds = () => pids.reduce((t, pid) => t + cpuSeconds(pid), 0);
  const redisSeconds = () => (redisPid === undefined ? 0 : cpuSeconds(redisPid));
  // Each write is a syscall with the loopback network work the kernel does inside it.
  const serverWrites = () => pids.reduce((t, pid) => t + writeSyscalls(pid), 0);
  // The server side's own CPU over each step: what a message costs it, whatever limits the ramp.
  const measured = async (rate: number, seconds: number): Promise<MeasuredStep> => {
    const commandsBefore = await redisCommands?.();
    const writesBefore = serverWrites();
    const [cpuBefore, redisBefore] = [serverSeconds(), redisSeconds()];
    const coreBefore = coreJiffies(SERVER_CPU);
    const started = performance.now();
    const step = await generator.step(rate, seconds, CANDIDATES_PER_CALL);
    const cpu = serverSeconds() - cpuBefore;
    const redis = redisSeconds() - redisBefore;
    const elapsed = (performance.now() - started) / 1000;
    const coreAfter = coreJiffies(SERVER_CPU);
    const coreTotal = coreAfter.total - coreBefore.total;
    // Cost of one call set-up, for the diagnostic log (a step's failed calls count too).
    const perCall = step.attempted - step.backlogged;
    const commandsAfter = commandsBefore && (await redisCommands?.());
    if (commandsBefore && commandsAfter) {
      context.log(
        `${server.name}: Redis commands per call at ${rate} calls/s: ${JSON.stringify(commandsBetween(commandsBefore, commandsAfter, perCall))}`,
      );
    }
    if (perCall > 0) {
      context.log(
        `${server.name}: write syscalls of the server process(es) per call at ${rate} calls/s: ${((serverWrites() - writesBefore) / perCall).toFixed(2)}`,
      );
    }
    if (step.packetsReceived !== undefined && perCall > 0) {
      context.log(
        `${server.name}: socket.io packets written to clients per call at ${rate} calls/s: ${(step.packetsReceived / perCall).toFixed(2)}`,
      );
    }
    return {
      ...step,
      serverCpu: cpu / elapsed,
      serverMicrosPerMessage: cpuMicrosPerMessage(cpu, step.latency.count),
      redisCpu: redis / elapsed,
      redisMicrosPerMessage: cpuMicrosPerMessage(redis, step.latency.count),
      serverCoreBusy: coreTotal > 0 ? (coreAfter.busy - coreBefore.busy) / coreTotal : 0,
    };
  };
  try {
    const accounts = await server.users(users);
    const urls = server.replicas.map((r) => r.url);
    const connectMs = await generator.connect(urls, accounts, sourceAddresses(8), LOAD_CLIENT);
    context.log(
      `${server.name}: ${users} sockets connected in ${Math.round(connectMs)} ms over ${urls.length} replica(s)`,
    );
    const steps: MeasuredStep[] = [];
    let failures = 0;
    for (const rate of rates) {
      const step = await measured(rate, stepSeconds);
      steps.push(step);
      context.log(
        `${server.name}: ${rate} calls/s → p50 ${step.latency.p50.toFixed(1)} ms, p99 ${step.latency.p99.toFixed(1)} ms, ` +
          `${step.completed}/${step.attempted} done, backlog ${step.backlogged}, errors ${JSON.stringify(step.errors)}, ` +
          `generator CPU ${(step.generatorCpu * 100).toFixed(0)} %, server CPU ${(step.serverCpu * 100).toFixed(0)} % ` +
          `(${step.serverMicrosPerMessage.toFixed(0)} µs/msg), Redis CPU ${(step.redisCpu * 100).toFixed(0)} %, ` +
          `server core busy ${((step.serverCoreBusy ?? 0) * 100).toFixed(0)} %`,
      );
      failures = passed(step) ? 0 : failures + 1;
      if (failures >= 3 || step.latency.p99 > 1000) break;
    }
    const sustained = Math.max(0, ...steps.filter(passed).map((s) => s.rate));
    const rate = options.comparisonRate() || sustained / 2;
    let comparison: MeasuredStep | null = null;
    if (rate > 0) {
      comparison = await measured(rate, stepSeconds * 1.5);
      context.log(
        `${server.name}: comparison at ${rate} calls/s → p99 ${comparison.latency.p99.toFixed(1)} ms`,
      );
    }
    // Where does the server spend its time near saturation? Profile the first replica in
    // one step at the first failing rate above the sustained one.
    const profileRate =
      steps.find((st) => st.rate > sustained && !passed(st))?.rate ??
      Math.max(sustained, rates[0]!);
    const inspector = await InspectorSession.attach(server.process);
    let profileSummary: ProfileSummary;
    try {
      const { profile: cpuProfile } = await profileDuring(inspector, () =>
        generator.step(profileRate, Math.min(stepSeconds, 5), CANDIDATES_PER_CALL),
      );
      profileSummary = summarizeProfile(cpuProfile, context.repoRoot);
      // Diagnostic: the raw profile for a closer look (Chrome DevTools, inclusive times).
      const out = process.env['BENCH_PROFILE_OUT'];
      if (out)
        writeFileSync(
          `${out}-${server.name.replace(/\W+/g, '-')}.cpuprofile`,
          JSON.stringify(cpuProfile),
        );
    } finally {
      inspector.close();
    }
    const which = server.replicas.length > 1 ? ' (replica 1)' : '';
    return {
      server: server.name,
      steps,
      sustained,
      comparison,
      profile: profileMarkdown(
        `${server.name}${which} CPU profile at ${profileRate} calls/s`,
        profileSummary,
      ),
      profileSummary,
      profileRate,
      generators: generator.size,
      incidents: generator.incidents,
    };
  } finally {
    await generator.stop();
  }
}

/** Names what stopped a ramp: the server side's core, the generator's, or neither. */
export function limitedBy(r: Ramp): string {
  const failed = r.steps.find((st) => st.rate > r.sustained && !passed(st));
  if (failed === undefined) return `${r.server} passed every step of the ramp (not saturated)`;
  const serverSide = failed.serverCpu + failed.redisCpu;
  const pct = (f: number) => `${(f * 100).toFixed(0)} %`;
  const own = `${pct(failed.serverCpu)} server processes${failed.redisCpu > 0 ? ` + ${pct(failed.redisCpu)} Redis` : ''}`;
  const core = failed.serverCoreBusy ?? 0;
  const what =
    failed.generatorCpu >= 0.9
      ? `the load generator (${pct(failed.generatorCpu)} of its core)`
      : serverSide >= 0.9
        ? `the server core (${own})`
        : core >= 0.9
          ? `the server core, shared: busy ${pct(core)}, of which ${own}; the rest is kernel network work and other processes on that core`
          : `neither core being full (server side ${pct(serverSide)}, server core busy ${pct(core)}, generator ${pct(failed.generatorCpu)}): scheduling or queueing`;
  return `${r.server} first failed at ${failed.rate} calls/s, limited by ${what}`;
}

export function stepsTable(r: Ramp): string {
  const lines = [
    `**${r.server}** — one row per offered rate (${MESSAGES_PER_CALL} relayed messages per call):`,
    '',
    '| Offered calls/s | Achieved calls/s | Messages/s | p50 ms | p90 ms | p99 ms | max ms | Errors | Backlogged | Generator CPU | Server CPU | Redis CPU | Server core busy | Server µs/msg | Redis µs/msg | Pass |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const s of r.steps) {
    const errors = Object.entries(s.errors)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    lines.push(
      `| ${s.rate} | ${s.achievedRate.toFixed(0)} | ${(s.achievedRate * MESSAGES_PER_CALL).toFixed(0)} | ${s.latency.p50.toFixed(1)} | ${s.latency.p90.toFixed(1)} | ${s.latency.p99.toFixed(1)} | ${s.latency.max.toFixed(0)} | ${errors || '0'} | ${s.backlogged} | ${(s.generatorCpu * 100).toFixed(0)} % | ${(s.serverCpu * 100).toFixed(0)} % | ${(s.redisCpu * 100).toFixed(0)} % | ${s.serverCoreBusy === undefined ? '—' : `${(s.serverCoreBusy * 100).toFixed(0)} %`} | ${s.serverMicrosPerMessage.toFixed(0)} | ${s.redisMicrosPerMessage.toFixed(0)} | ${passed(s) ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}
