import type { Benchmark } from '../lib/result.ts';
export const callSetupBenchmark: Benchmark = {
  name: 'browser',
  title: 'browser',
  run: () => Promise.reject(new Error('TODO')),
};
