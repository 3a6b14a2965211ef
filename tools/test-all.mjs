#!/usr/bin/env node
// `npm test`: formatting, lint, type checks (e2e, e2e-support, bench: the projects no build
// compiles), unit, integration and end-to-end for every project, then one closing line
// summing every Jest run ("Tests: N passed, N failed"). A failed step that is not a Jest
// run (formatting, lint, a type check, a crash) counts as one failure there.
// Every step runs even when an earlier one fails, so one run shows everything broken.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const resultsDir = join(root, 'tmp', 'test-results');
const only = process.argv.slice(2);

const steps = [
  { name: 'format', command: ['npx', 'prettier', '--check', '.'] },
  { name: 'lint', args: ['run-many', '-t', 'lint'] },
  { name: 'typecheck', args: ['run-many', '-t', 'typecheck'] },
  { name: 'unit', args: ['run-many', '-t', 'test'] },
  { name: 'integration', args: ['run-many', '-t', 'integration', '--parallel=1'] },
  { name: 'e2e', args: ['run-many', '-t', 'e2e', '--parallel=1'] },
].filter((step) => only.length === 0 || only.includes(step.name));

rmSync(resultsDir, { recursive: true, force: true });
const env = { ...process.env, NX_TUI: 'false', NX_NO_CLOUD: 'true' };
// CI proves the code, not a cache: every target runs for real there.
const ciFlags = process.env.CI ? ['--skip-nx-cache'] : [];
if (process.env.CI) env.NX_DAEMON = 'false';

const outcomes = [];
for (const step of steps) {
  const started = Date.now();
  const [file, ...args] = step.command ?? [
    'npx',
    'nx',
    ...step.args,
    '--outputStyle=static',
    ...ciFlags,
  ];
  console.log(`\n=== ${step.name}: ${[file, ...args].join(' ')}`);
  const run = spawnSync(file, args, { cwd: root, stdio: 'inherit', env });
  outcomes.push({ ...step, ok: run.status === 0, seconds: (Date.now() - started) / 1000 });
}

const suites = existsSync(resultsDir)
  ? readdirSync(resultsDir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(join(resultsDir, file), 'utf8')))
  : [];

console.log('\n=== summary');
for (const suite of suites) {
  console.log(
    `  ${suite.name.padEnd(28)} ${suite.passed} passed, ${suite.failed} failed, ${suite.skipped} skipped`,
  );
}
let passed = suites.reduce((sum, s) => sum + s.passed, 0);
let failed = suites.reduce((sum, s) => sum + s.failed, 0);
const skipped = suites.reduce((sum, s) => sum + s.skipped, 0);
for (const outcome of outcomes) {
  console.log(
    `  step ${outcome.name.padEnd(23)} ${outcome.ok ? 'ok' : 'FAILED'} (${outcome.seconds.toFixed(0)} s)`,
  );
}
// A step that failed without a failing test of its own (formatting, lint, a type check, a
// build, a crash) counts once; a Jest step that failed is already counted by its tests.
const jestSteps = new Set(['unit', 'integration', 'e2e']);
const brokenSteps = outcomes.filter((o) => !o.ok).length;
const brokenNonJest = outcomes.filter((o) => !o.ok && !jestSteps.has(o.name)).length;
failed += brokenNonJest;
if (brokenSteps > 0 && failed === 0) failed = brokenSteps;
if (passed === 0 && failed === 0) failed = 1; // ran no test: that is a failure too
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || brokenSteps > 0 ? 1 : 0);
