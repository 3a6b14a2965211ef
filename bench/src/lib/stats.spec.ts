import { linearFit, mean, median, percentile, summarize } from './stats.ts';

describe('percentile (nearest rank)', () => {
  const sample = [15, 20, 35, 40, 50]; // the textbook nearest-rank example

  it('picks the value at rank ceil(p/100 × n) of the sorted sample', () => {
    expect(percentile(sample, 5)).toBe(15);
    expect(percentile(sample, 30)).toBe(20);
    expect(percentile(sample, 40)).toBe(20);
    expect(percentile(sample, 50)).toBe(35);
    expect(percentile(sample, 90)).toBe(50);
    expect(percentile(sample, 100)).toBe(50);
  });

  it('sorts numerically, not as strings, and leaves the input alone', () => {
    const unsorted = [100, 9, 25, 3, 1000];
    expect(percentile(unsorted, 50)).toBe(25);
    expect(percentile(unsorted, 80)).toBe(100);
    expect(unsorted).toEqual([100, 9, 25, 3, 1000]);
  });

  it('p0 is the minimum, a single value is every percentile, an empty sample is NaN', () => {
    expect(percentile([7, 3, 5], 0)).toBe(3);
    expect(percentile([42], 1)).toBe(42);
    expect(percentile([42], 99)).toBe(42);
    expect(percentile([], 50)).toBeNaN();
  });

  it('p99 of 1..1000 is 990, p50 is 500 (not an interpolated 500.5)', () => {
    const ramp = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(ramp, 99)).toBe(990);
    expect(median(ramp)).toBe(500);
  });
});

describe('summarize', () => {
  it('reports count, p50/p90/p99 and the maximum', () => {
    const ramp = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, descending
    expect(summarize(ramp)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
  });

  it('takes the maximum of a sample too large to spread into Math.max', () => {
    const large = Array.from({ length: 300_000 }, (_, i) => i % 1000);
    large[123_456] = 5000;
    expect(summarize(large).max).toBe(5000);
  });

  it('is NaN everywhere but the count for an empty sample', () => {
    expect(summarize([])).toEqual({ count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN });
  });
});

describe('mean and linearFit', () => {
  it('averages, NaN when empty', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    expect(mean([])).toBeNaN();
  });

  it('recovers slope and intercept of an exact line with r² = 1', () => {
    const fit = linearFit([
      [0, 10],
      [1000, 15_010],
      [2000, 30_010],
    ]);
    expect(fit.slope).toBeCloseTo(15, 10);
    expect(fit.intercept).toBeCloseTo(10, 6);
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it('gives r² below 1 for scattered points, and no slope for one x', () => {
    const scattered = linearFit([
      [0, 0],
      [1, 3],
      [2, 1],
      [3, 4],
    ]);
    expect(scattered.slope).toBeCloseTo(1, 10);
    expect(scattered.r2).toBeCloseTo(0.5, 10);
    expect(linearFit([[5, 1]]).slope).toBeNaN();
  });
});
