// Writes each Jest run's totals to tmp/test-results/, so `npm test` can print one
// closing line that sums every suite (unit, integration, e2e).
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '..', 'tmp', 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    const name =
      (process.env.NX_TASK_TARGET_PROJECT ?? 'jest') +
      '-' +
      (process.env.NX_TASK_TARGET_TARGET ?? 'run');
    const summary = {
      name,
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suites: results.numTotalTestSuites,
    };
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(summary, null, 2));
  }
}

module.exports = SummaryReporter;
