import type { GeneratorStep } from './step-merge.ts';
import { callsPerCoreSecond, cpuMicrosPerMessage, mergeSteps, shares } from './step-merge.ts';

function part(overrides: Partial<GeneratorStep>): GeneratorStep {
  const sample = overrides.sample ?? [];
  return {
    rate: 0,
    seconds: 6,
    attempted: 0,
    completed: 0,
    backlogged: 0,
    errors: {},
    latency: { count: sample.length, p50: 0, p90: 0, p99: 0, max: 0 },
    achievedRate: 0,
    generatorCpu: 0,
    sample,
    ...overrides,
  };
}

describe('mergeSteps', () => {
  it('adds counts and rates, pools latencies and keeps the busiest generator', () => {
    const a = part({
      attempted: 10,
      completed: 9,
      backlogged: 1,
      achievedRate: 1.5,
      generatorCpu: 0.4,
      errors: { 'ack:busy': 1 },
      sample: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    });
    const b = part({
      attempted: 10,
      completed: 10,
      achievedRate: 1.7,
      generatorCpu: 0.9,
      errors: { 'ack:busy': 2, 'timeout:ack': 1 },
      sample: Array.from({ length: 90 }, () => 100),
    });
    const merged = mergeSteps(20, [a, b]);
    expect(merged.rate).toBe(20);
    expect(merged.attempted).toBe(20);
    expect(merged.completed).toBe(19);
    expect(merged.backlogged).toBe(1);
    expect(merged.achievedRate).toBeCloseTo(3.2);
    expect(merged.generatorCpu).toBe(0.9);
    expect(merged.errors).toEqual({ 'ack:busy': 3, 'timeout:ack': 1 });
    // 100 pooled values: ten small ones, ninety of 100 ms. The p50 of the pool is 100,
    // which averaging the parts' own p50s (5.5 and 100) would never give.
    expect(merged.latency.count).toBe(100);
    expect(merged.latency.p50).toBe(100);
    expect(merged.latency.p90).toBe(100);
    expect(merged.latency.max).toBe(100);
    expect(mergeSteps(5, [part({ sample: [1, 2, 3, 4] })]).latency.p50).toBe(2);
  });

  it('handles large samples without overflowing the stack', () => {
    const big = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    expect(mergeSteps(1, [part({ sample: big }), part({ sample: big })]).latency.count).toBe(
      600_000,
    );
  });

  it('refuses an empty list', () => {
    expect(() => mergeSteps(1, [])).toThrow(/at least one/);
  });
});

describe('CPU per message', () => {
  it('divides server CPU by delivered messages and projects one core', () => {
    expect(cpuMicrosPerMessage(0.5, 10_000)).toBe(50);
    expect(cpuMicrosPerMessage(0.5, 0)).toBeNaN();
    // 50 µs per message, 15 messages per call: 1,333 calls/s on one busy core.
    expect(Math.round(callsPerCoreSecond(50, 15))).toBe(1333);
    expect(callsPerCoreSecond(0, 15)).toBeNaN();
  });
});

describe('shares', () => {
  it('splits a total into near-equal parts that add up', () => {
    expect(shares(10, 3)).toEqual([4, 3, 3]);
    expect(shares(400, 1)).toEqual([400]);
    expect(shares(2, 4)).toEqual([1, 1, 0, 0]);
  });
});
