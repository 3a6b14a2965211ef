import { ratio, row } from './result.ts';
import { atLeast, atLeastTimes, atMost, atMostPlus, atMostTimes, below } from './targets.ts';

describe('ratio', () => {
  it('is value ÷ baseline', () => {
    expect(ratio(150, 100)).toBe(1.5);
    expect(ratio(30, 120)).toBe(0.25);
  });

  it('is null when either side is missing, not finite, or the baseline is 0', () => {
    expect(ratio(null, 100)).toBeNull();
    expect(ratio(100, null)).toBeNull();
    expect(ratio(NaN, 100)).toBeNull();
    expect(ratio(100, Infinity)).toBeNull();
    expect(ratio(100, 0)).toBeNull();
  });

  it('is what a row carries', () => {
    expect(row('p99', 'ms', 12, 'baseline relay', 8, '≤ 1.5× baseline', true)).toEqual({
      figure: 'p99',
      unit: 'ms',
      value: 12,
      baseline: 'baseline relay',
      baselineValue: 8,
      ratio: 1.5,
      target: '≤ 1.5× baseline',
      met: true,
    });
  });
});

describe('met / missed', () => {
  it('"≤ 1.5× baseline" is met at exactly 1.5× and missed just above', () => {
    expect(atMostTimes(150, 100, 1.5)).toBe(true);
    expect(atMostTimes(150.01, 100, 1.5)).toBe(false);
    expect(atMostTimes(40, 100, 1.5)).toBe(true);
  });

  it('"≥ 0.7× baseline" is met at exactly 0.7× and missed just below', () => {
    expect(atLeastTimes(875, 1250, 0.7)).toBe(true);
    expect(atLeastTimes(300, 1250, 0.7)).toBe(false);
    expect(atLeastTimes(874.9, 1250, 0.7)).toBe(false);
  });

  it('a baseline of 0 judges nothing for "≥ k× baseline"', () => {
    expect(atLeastTimes(10, 0, 0.7)).toBeNull();
  });

  it('"≤ direct + 100 ms" compares with the other figure plus the margin', () => {
    expect(atMostPlus(600, 500, 100)).toBe(true);
    expect(atMostPlus(601, 500, 100)).toBe(false);
  });

  it('absolute limits: ≤ is inclusive, < is strict, ≥ is inclusive', () => {
    expect(atMost(0, 0)).toBe(true);
    expect(atMost(0.1, 0)).toBe(false);
    expect(below(0.5, 0.5)).toBe(false);
    expect(below(0.49, 0.5)).toBe(true);
    expect(atLeast(0.99, 0.99)).toBe(true);
    expect(atLeast(0.98, 0.99)).toBe(false);
  });

  it('an unmeasured figure is neither met nor missed', () => {
    for (const missing of [null, NaN, Infinity, -Infinity]) {
      expect(atMost(missing, 10)).toBeNull();
      expect(below(missing, 10)).toBeNull();
      expect(atLeast(missing, 10)).toBeNull();
      expect(atMostTimes(missing, 10, 1.5)).toBeNull();
      expect(atMostTimes(10, missing, 1.5)).toBeNull();
      expect(atLeastTimes(missing, 10, 0.7)).toBeNull();
      expect(atLeastTimes(10, missing, 0.7)).toBeNull();
      expect(atMostPlus(missing, 10, 100)).toBeNull();
      expect(atMostPlus(10, missing, 100)).toBeNull();
    }
  });
});
