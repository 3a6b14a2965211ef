import type { Benchmark } from '../lib/result.ts';
export const startupBenchmark: Benchmark = {
  name: 'startup',
  title: 'startup',
  run: () => Promise.reject(new Error('TODO')),
};
