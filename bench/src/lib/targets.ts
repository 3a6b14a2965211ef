/**
 * The met/missed judgement of every row in docs/BENCHMARKS.md. Each returns `null` when a
 * figure it needs was not measured (null, NaN, ±Infinity), so an unmeasured figure reads
 * "—", never "missed" or "met" (see `Row.met`).
 */

function measured(value: number | null): value is number {
  return value !== null && Number.isFinite(value);
}

/** value ≤ limit. */
export function atMost(value: number | null, limit: number): boolean | null {
  return measured(value) ? value <= limit : null;
}

/** value < limit. */
export function below(value: number | null, limit: number): boolean | null {
  return measured(value) ? value < limit : null;
}

/** value ≥ limit. */
export function atLeast(value: number | null, limit: number): boolean | null {
  return measured(value) ? value >= limit : null;
}

/** value ≤ factor × baseline, e.g. "≤ 1.5× baseline". */
export function atMostTimes(
  value: number | null,
  baseline: number | null,
  factor: number,
): boolean | null {
  return measured(value) && measured(baseline) ? value <= factor * baseline : null;
}

/**
 * value ≥ factor × baseline, e.g. "≥ 0.7× baseline". A baseline of 0 or less judges
 * nothing: any value would pass a target the baseline itself never reached.
 */
export function atLeastTimes(
  value: number | null,
  baseline: number | null,
  factor: number,
): boolean | null {
  if (!measured(value) || !measured(baseline) || baseline <= 0) return null;
  return value >= factor * baseline;
}

/** value ≤ other + delta, e.g. "≤ direct + 100 ms". */
export function atMostPlus(
  value: number | null,
  other: number | null,
  delta: number,
): boolean | null {
  return measured(value) && measured(other) ? value <= other + delta : null;
}
