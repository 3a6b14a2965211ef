/** Nearest-rank percentile of an unsorted sample; NaN for an empty sample. */
export function percentile(sample: readonly number[], p: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function mean(sample: readonly number[]): number {
  if (sample.length === 0) return Number.NaN;
  return sample.reduce((sum, v) => sum + v, 0) / sample.length;
}

export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(sample: readonly number[]): Summary {
  return {
    count: sample.length,
    p50: percentile(sample, 50),
    p90: percentile(sample, 90),
    p99: percentile(sample, 99),
    // reduce, not Math.max(...sample): a spread of 100k+ values overflows the stack.
    max: sample.length === 0 ? Number.NaN : sample.reduce((m, v) => (v > m ? v : m), -Infinity),
  };
}

/** Least-squares line through (x, y) points, with the coefficient of determination. */
export function linearFit(points: readonly (readonly [number, number])[]): {
  slope: number;
  intercept: number;
  r2: number;
} {
  const n = points.length;
  const mx = mean(points.map((p) => p[0]));
  const my = mean(points.map((p) => p[1]));
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  const slope = n > 1 && sxx > 0 ? sxy / sxx : Number.NaN;
  const intercept = my - slope * mx;
  const r2 = sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : 1;
  return { slope, intercept, r2 };
}

export function median(sample: readonly number[]): number {
  return percentile(sample, 50);
}
