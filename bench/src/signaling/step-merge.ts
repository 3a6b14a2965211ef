import { summarize } from '../lib/stats.ts';
import type { StepResult } from './loadgen-protocol.ts';

/** One generator process's share of a step, with its raw latencies (percentiles don't add). */
export interface GeneratorStep extends StepResult {
  sample: number[];
}

/**
 * Joins the shares of one step run by several generator processes at once: counts and
 * rates add up, latency percentiles come from the pooled sample, the generator CPU is
 * the busiest process's (each has its own core, so the busiest one is the limit).
 */
export function mergeSteps(rate: number, parts: readonly GeneratorStep[]): StepResult {
  if (parts.length === 0) throw new Error('mergeSteps needs at least one generator result');
  const errors: Record<string, number> = {};
  for (const part of parts)
    for (const [kind, count] of Object.entries(part.errors))
      errors[kind] = (errors[kind] ?? 0) + count;
  const sum = (pick: (part: GeneratorStep) => number) => parts.reduce((t, p) => t + pick(p), 0);
  // concat, not push(...sample): a spread of 100k+ values overflows the stack.
  const pooled = parts.reduce<number[]>((all, part) => all.concat(part.sample), []);
  return {
    rate,
    seconds: Math.max(...parts.map((p) => p.seconds)),
    attempted: sum((p) => p.attempted),
    completed: sum((p) => p.completed),
    backlogged: sum((p) => p.backlogged),
    errors,
    latency: summarize(pooled),
    achievedRate: sum((p) => p.achievedRate),
    generatorCpu: Math.max(...parts.map((p) => p.generatorCpu)),
    packetsReceived: sum((p) => p.packetsReceived ?? 0),
  };
}

/**
 * Server CPU per relayed message in microseconds: CPU seconds the server used during a
 * step over the messages it delivered. Independent of where the ramp stopped, so it
 * compares two servers even when the load generator, not the server, set the limit.
 */
export function cpuMicrosPerMessage(cpuSeconds: number, messages: number): number {
  return messages > 0 ? (cpuSeconds * 1e6) / messages : Number.NaN;
}

/** Calls/s one fully busy core would carry at `microsPerMessage`, `messagesPerCall` each. */
export function callsPerCoreSecond(microsPerMessage: number, messagesPerCall: number): number {
  return microsPerMessage > 0 ? 1e6 / (microsPerMessage * messagesPerCall) : Number.NaN;
}

/** Splits `total` items into `parts` nearly equal shares (earlier shares take the rest). */
export function shares(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}
