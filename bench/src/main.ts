/**
 * Callgate benchmark suite. `npm run bench` (= `nx run bench:bench`) runs every section
 * and rewrites docs/BENCHMARKS.md; `--only <name>` runs one (the others keep their last
 * stored result), `--quick` uses small sizes to check the harness, `--step <name>` runs only
 * some steps of a section (printed, never written to the docs).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanupAll, installSignalCleanup } from './lib/cleanup.ts';
import { describeMachine } from './lib/machine.ts';
import { saveResult, SECTION_ORDER, writeBenchmarksDoc } from './lib/report.ts';
import type { Benchmark, BenchmarkResult } from './lib/result.ts';
import { signalingBenchmark } from './signaling/benchmark.ts';
import { memoryBenchmark } from './memory/benchmark.ts';
import { turnBenchmark } from './turn/benchmark.ts';
import { startupBenchmark } from './startup/benchmark.ts';
import { callSetupBenchmark } from './browser/benchmark.ts';

const BENCHMARKS: Benchmark[] = [
  signalingBenchmark,
  memoryBenchmark,
  turnBenchmark,
  startupBenchmark,
  callSetupBenchmark,
];

const repoRoot = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    /** Only these steps of a section (e.g. turn's `calls`); the docs are not rewritten. */
    step: { type: 'string', multiple: true },
    'no-write': { type: 'boolean', default: false },
    /** Only rewrite docs/BENCHMARKS.md from the stored results. */
    render: { type: 'boolean', default: false },
  },
});

const steps = values.step?.flatMap((s) => s.split(',')) ?? null;
const noWrite = values['no-write'] || steps !== null;

const selected = values.only
  ? values.only
      .flatMap((o) => o.split(','))
      .map((name) => {
        const found = BENCHMARKS.find((b) => b.name === name);
        if (!found) {
          throw new Error(`unknown benchmark "${name}"; known: ${SECTION_ORDER.join(', ')}`);
        }
        return found;
      })
  : BENCHMARKS;

if (values.render) {
  await writeBenchmarksDoc(repoRoot);
  console.log('bench: docs/BENCHMARKS.md rewritten from docs/bench/*.json');
  process.exit(0);
}

process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
installSignalCleanup();

const suiteStart = Date.now();
let failed = 0;
for (const benchmark of selected) {
  const machine = describeMachine();
  const started = Date.now();
  const log = (message: string) =>
    console.log(`[${benchmark.name} ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);
  log(`start (load average ${machine.loadAtStart})`);
  let result: BenchmarkResult;
  try {
    const outcome = await benchmark.run({ quick: values.quick, steps, repoRoot, log });
    result = {
      name: benchmark.name,
      title: benchmark.title,
      machine,
      durationSeconds: (Date.now() - started) / 1000,
      ...outcome,
    };
  } catch (error) {
    failed++;
    const message = error instanceof Error ? error.message : String(error);
    console.error(`[${benchmark.name}] failed:`, error);
    result = {
      name: benchmark.name,
      title: benchmark.title,
      machine,
      durationSeconds: (Date.now() - started) / 1000,
      method: '',
      rows: [],
      details: [],
      charts: [],
      notes: [],
      error: message.slice(0, 500),
    };
  } finally {
    await cleanupAll();
  }
  for (const r of result.rows) {
    log(
      `${r.figure}: ${r.value ?? 'n/a'} ${r.unit} vs ${r.baseline} ${r.baselineValue ?? 'n/a'} → ${r.met === null ? 'no target' : r.met ? 'met' : 'MISSED'}`,
    );
  }
  if (values.quick || noWrite) {
    for (const detail of result.details) console.log(detail);
  } else {
    saveResult(repoRoot, result);
  }
  log(`done in ${result.durationSeconds.toFixed(0)} s`);
}
if (!noWrite && !values.quick) await writeBenchmarksDoc(repoRoot);
console.log(
  `bench: ${selected.length - failed}/${selected.length} sections measured in ${((Date.now() - suiteStart) / 1000).toFixed(0)} s` +
    (values.quick || noWrite ? ' (docs not rewritten)' : '; docs/BENCHMARKS.md rewritten'),
);
process.exit(failed > 0 ? 1 : 0);
