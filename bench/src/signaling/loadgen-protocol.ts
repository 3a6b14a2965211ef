import type { BenchUser } from '../lib/clients.ts';

/** Messages the orchestrator sends to a load generator process over IPC. */
export type LoadgenCommand =
  | { type: 'connect'; url: string; users: BenchUser[]; addresses: string[] }
  | { type: 'step'; rate: number; seconds: number; candidatesPerCall: number }
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
}

export type LoadgenReply =
  | { type: 'connected'; count: number; milliseconds: number }
  /** `sample`: every emit→delivery latency of the step (ms), so shares can be pooled. */
  | { type: 'step-result'; result: StepResult; sample: number[] }
  | { type: 'disconnected'; count: number }
  | { type: 'error'; message: string };
