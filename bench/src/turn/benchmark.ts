import type { Benchmark } from '../lib/result.ts';
export const turnBenchmark: Benchmark = {
  name: 'turn',
  title: 'turn',
  run: () => Promise.reject(new Error('TODO')),
};
