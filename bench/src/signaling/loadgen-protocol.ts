import type { BenchUser } from '../lib/clients.ts';
import type { LoadClientKind } from './load-socket.ts';

/** Messages the orchestrator sends to a load generator process over IPC. */
export type LoadgenCommand =
  /** User i connects to `urls[i % urls.length]`: with two replicas, the two sides of a pair differ. */
  | {
      type: 'connect';
      urls: string[];
      users: BenchUser[];
      addresses: string[];
      /** The client the sockets use (default socket.io-client), see wire-client.ts. */
      client?: LoadClientKind;
    }
  | { type: 'step'; rate: number; seconds: number; candidatesPerCall: number }
  /** Each listed user's socket subscribes to the presence of those ids (`presence:subscribe`). */
  | { type: 'watch'; watch: Record<string, string[]> }
  /** How many `presence` events this generator's sockets have heard since they connected. */
  | { type: 'presence-count' }
  /** Closes every socket this generator holds (they stay usable for a later connect). */
  | { type: 'disconnect' }
  | { type: 'close' };

export interface StepResult {
  rate: number;
  seconds: number;
  attempted: number;
  completed: number;
  /** Calls not started because every pair was still busy with an earlier call. */
  backlogged: number;
  /** Failures by kind (ack error code, timeout, ...). */
  errors: Record<string, number>;
  /** Emit→delivery latencies, milliseconds. */
  latency: { count: number; p50: number; p90: number; p99: number; max: number };
  /** Completed calls per second of wall time. */
  achievedRate: number;
  /** CPU the load generator used, as a fraction of one core. */
  generatorCpu: number;
  /** socket.io packets (events + acks) the server wrote to the generator's sockets. */
  packetsReceived?: number;
}

export type LoadgenReply =
  | { type: 'connected'; count: number; milliseconds: number }
  /** `sample`: every emit→delivery latency of the step (ms), so shares can be pooled. */
  | { type: 'step-result'; result: StepResult; sample: number[] }
  | { type: 'disconnected'; count: number }
  | { type: 'watching'; subscriptions: number }
  | { type: 'presence-count'; heard: number }
  | { type: 'error'; message: string };
