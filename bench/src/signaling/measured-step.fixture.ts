import type { MeasuredStep } from './ramp.ts';

/** A passing ramp step at `rate` calls/s for the specs; `over` changes what a test is about. */
export function measuredStep(rate: number, over: Partial<MeasuredStep> = {}): MeasuredStep {
  return {
    rate,
    seconds: 6,
    attempted: rate * 6,
    completed: rate * 6,
    backlogged: 0,
    errors: {},
    latency: { count: rate * 90, p50: 1, p90: 2, p99: 5, max: 9 },
    achievedRate: rate,
    generatorCpu: 0.3,
    serverCpu: 0.3,
    serverMicrosPerMessage: 50,
    redisCpu: 0,
    redisMicrosPerMessage: 0,
    ...over,
  };
}
