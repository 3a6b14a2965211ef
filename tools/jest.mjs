#!/usr/bin/env node
// Runs Jest with require(esm) enabled: NestJS 12 and other dependencies ship as pure
// ESM, and Jest's CommonJS runtime can load them only with VM modules on (Node 24.9+).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const jestBin = join(dirname(require.resolve('jest/package.json')), 'bin', 'jest.js');
const result = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    jestBin,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env: process.env },
);
process.exit(result.status ?? 1);
