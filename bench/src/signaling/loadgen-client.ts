import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { onCleanup } from '../lib/cleanup.ts';
import { raisePriority, run } from '../lib/process.ts';
import { withTimeout } from '../lib/time.ts';
import type { BenchUser } from '../lib/clients.ts';
import type { LoadgenCommand, LoadgenReply } from './loadgen-protocol.ts';
import type { LoadClientKind } from './load-socket.ts';
import type { GeneratorStep } from './step-merge.ts';

/** The orchestrator's handle on a load generator child process. */
export class LoadGenerator {
  private readonly child: ChildProcess;
  private readonly replies: LoadgenReply[] = [];
  private waiter: (() => void) | null = null;
  readonly stop: () => Promise<void>;
  /** Asynchronous errors the generator reported (e.g. a socket dropped). */
  readonly incidents: string[] = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    child.on('message', (reply: LoadgenReply) => {
      if (reply.type === 'error' && this.waiter === null) {
        this.incidents.push(reply.message);
        return;
      }
      this.replies.push(reply);
      this.waiter?.();
    });
    this.stop = onCleanup(`load generator (pid ${child.pid})`, async () => {
      if (child.exitCode !== null) return;
      child.send({ type: 'close' } satisfies LoadgenCommand);
      const exited = new Promise((r) => child.once('exit', r));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    });
  }

  /** Forks the generator and pins it (all its threads) to `cpus`. */
  static async start(repoRoot: string, cpus: string): Promise<LoadGenerator> {
    const child = fork(join(repoRoot, 'bench/src/signaling/loadgen.ts'), [], {
      execArgv: ['--max-old-space-size=4096'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const generator = new LoadGenerator(child);
    await run('taskset', ['-a', '-p', '-c', cpus, String(child.pid)]);
    await raisePriority(child.pid!);
    return generator;
  }

  private async request(command: LoadgenCommand, timeoutMs: number): Promise<LoadgenReply> {
    const reply = new Promise<LoadgenReply>((resolve) => {
      this.waiter = () => {
        this.waiter = null;
        resolve(this.replies.shift()!);
      };
    });
    this.child.send(command);
    return withTimeout(`load generator ${command.type}`, reply, timeoutMs);
  }

  /**
   * Connects `users` (user i to `urls[i % urls.length]`) with `client` (default
   * socket.io-client); resolves with the time taken.
   */
  async connect(
    urls: string[],
    users: BenchUser[],
    addresses: string[],
    client: LoadClientKind = 'socket.io',
  ): Promise<number> {
    const reply = await this.request({ type: 'connect', urls, users, addresses, client }, 180_000);
    if (reply.type !== 'connected') throw new Error(`connect failed: ${JSON.stringify(reply)}`);
    return reply.milliseconds;
  }

  /** Subscribes each listed user's socket to the presence of its ids; resolves with the total. */
  async watch(lists: Record<string, string[]>): Promise<number> {
    const reply = await this.request({ type: 'watch', watch: lists }, 120_000);
    if (reply.type !== 'watching') throw new Error(`watch failed: ${JSON.stringify(reply)}`);
    return reply.subscriptions;
  }

  /** `presence` events this generator's sockets heard so far. */
  async presenceHeard(): Promise<number> {
    const reply = await this.request({ type: 'presence-count' }, 30_000);
    if (reply.type !== 'presence-count')
      throw new Error(`presence count failed: ${JSON.stringify(reply)}`);
    return reply.heard;
  }

  /** Closes every socket of this generator. */
  async disconnect(): Promise<number> {
    const reply = await this.request({ type: 'disconnect' }, 60_000);
    if (reply.type !== 'disconnected')
      throw new Error(`disconnect failed: ${JSON.stringify(reply)}`);
    return reply.count;
  }

  async step(rate: number, seconds: number, candidatesPerCall: number): Promise<GeneratorStep> {
    const reply = await this.request(
      { type: 'step', rate, seconds, candidatesPerCall },
      seconds * 1000 + 60_000,
    );
    if (reply.type !== 'step-result') throw new Error(`step failed: ${JSON.stringify(reply)}`);
    return { ...reply.result, sample: reply.sample };
  }
}
