import { availableParallelism } from 'node:os';
import type { BenchUser } from '../lib/clients.ts';
import { LoadGenerator } from './loadgen-client.ts';
import type { StepResult } from './loadgen-protocol.ts';
import type { LoadClientKind } from './load-socket.ts';
import { mergeSteps, shares } from './step-merge.ts';

/**
 * The cores the load generators may use: every core but the server's, or
 * `BENCH_GENERATOR_CPUS` (a comma list) when set. One generator process per core, or
 * `BENCH_GENERATORS` processes spread over them.
 */
export function generatorLayout(serverCpu: string): { cpus: string[]; processes: number } {
  const configured = process.env['BENCH_GENERATOR_CPUS'];
  const cpus = configured
    ? configured.split(',').map((c) => c.trim())
    : Array.from({ length: availableParallelism() }, (_, i) => String(i)).filter(
        (c) => c !== serverCpu,
      );
  if (cpus.length === 0) throw new Error('no core left for the load generator');
  const processes = Number(process.env['BENCH_GENERATORS'] ?? cpus.length);
  return { cpus, processes: Math.max(1, processes) };
}

/** Several load generator processes driven as one: each holds a share of the pairs. */
export class GeneratorPool {
  private readonly generators: LoadGenerator[];

  private constructor(generators: LoadGenerator[]) {
    this.generators = generators;
  }

  get size(): number {
    return this.generators.length;
  }

  get incidents(): string[] {
    return this.generators.flatMap((g) => g.incidents);
  }

  static async start(repoRoot: string, cpus: string[], processes: number): Promise<GeneratorPool> {
    const generators: LoadGenerator[] = [];
    try {
      for (let i = 0; i < processes; i++)
        generators.push(await LoadGenerator.start(repoRoot, cpus[i % cpus.length]!));
    } catch (error) {
      await Promise.all(generators.map((g) => g.stop()));
      throw error;
    }
    return new GeneratorPool(generators);
  }

  /**
   * Connects the accounts, an even number per generator (they pair up inside one, caller
   * at an even index, callee at the next): with two `urls` every call spans both replicas.
   */
  async connect(
    urls: string[],
    accounts: BenchUser[],
    addresses: string[],
    client: LoadClientKind = 'socket.io',
  ): Promise<number> {
    const pairs = shares(Math.floor(accounts.length / 2), this.generators.length);
    let offset = 0;
    const times = await Promise.all(
      this.generators.map((g, i) => {
        const mine = accounts.slice(offset, offset + pairs[i]! * 2);
        offset += mine.length;
        return g.connect(urls, mine, addresses, client);
      }),
    );
    return Math.max(...times);
  }

  /** Runs one step on every generator at once, each at its share of the rate. */
  async step(rate: number, seconds: number, candidatesPerCall: number): Promise<StepResult> {
    const parts = await Promise.all(
      this.generators.map((g) => g.step(rate / this.generators.length, seconds, candidatesPerCall)),
    );
    return mergeSteps(rate, parts);
  }

  async stop(): Promise<void> {
    await Promise.all(this.generators.map((g) => g.stop()));
  }
}
