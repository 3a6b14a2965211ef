import type { MachineDescription } from './machine.ts';

/** One measured figure compared with its same-run baseline. */
export interface Row {
  figure: string;
  value: number | null;
  unit: string;
  baseline: string;
  baselineValue: number | null;
  /** value / baselineValue (null when either is missing). */
  ratio: number | null;
  /** The target in words, e.g. "≤ 1.5× baseline". */
  target: string;
  /** null when the figure has no target or could not be measured. */
  met: boolean | null;
}

export interface Chart {
  /** File name under docs/bench/. */
  file: string;
  title: string;
  svg: string;
}

export interface BenchmarkResult {
  name: string;
  title: string;
  /** What is measured and how, in Markdown. */
  method: string;
  rows: Row[];
  /** Extra Markdown tables (raw data per step). */
  details: string[];
  charts: Chart[];
  /** Limits, things tried, caveats. */
  notes: string[];
  machine: MachineDescription;
  durationSeconds: number;
  /** Set when the benchmark could not run; rows may be empty. */
  error?: string;
}

export function ratio(value: number | null, baseline: number | null): number | null {
  if (value === null || baseline === null || !Number.isFinite(value) || !Number.isFinite(baseline))
    return null;
  if (baseline === 0) return null;
  return value / baseline;
}

/** Builds a row; `met` is computed by the caller's predicate over value/ratio. */
export function row(
  figure: string,
  unit: string,
  value: number | null,
  baseline: string,
  baselineValue: number | null,
  target: string,
  met: boolean | null,
): Row {
  return {
    figure,
    unit,
    value,
    baseline,
    baselineValue,
    ratio: ratio(value, baselineValue),
    target,
    met,
  };
}

export interface BenchmarkContext {
  /** Smaller sizes and shorter steps for a quick check of the harness. */
  quick: boolean;
  /** `--step`: run only these named steps of the section (null = all of them). */
  steps: readonly string[] | null;
  repoRoot: string;
  log: (message: string) => void;
}

export interface Benchmark {
  name: string;
  title: string;
  run: (
    context: BenchmarkContext,
  ) => Promise<Omit<BenchmarkResult, 'machine' | 'durationSeconds' | 'name' | 'title'>>;
}
