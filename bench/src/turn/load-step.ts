/**
 * One load step of the TURN bench: N client-to-client uclient flows through the bench's
 * own coturn container, with coturn's and the generator's CPU and receive-buffer drops.
 */
import { docker, runContainer, type Container } from '../lib/docker.ts';
import { cpuSeconds } from '../lib/process.ts';
import type { BenchmarkContext } from '../lib/result.ts';
import { median } from '../lib/stats.ts';
import { sleep } from '../lib/time.ts';
import { udpDropsBySocket, udpReceiveBufferErrors } from './udp-counters.ts';
import { parseUclient, type UclientReport } from './uclient.ts';

const CLIENT_IMAGE = 'coturn/coturn:4.6';
export const PACKET_BYTES = 1000;
/** 1000 B every 8 ms = 1 Mbit/s per flow in each direction. */
export const INTERVAL_MS = 8;

export interface Step {
  flows: number;
  report: UclientReport;
  /** coturn CPU in the steady part of the run, fraction of one core. */
  coturnCpu: number;
  /** Load generator (uclient) CPU, fraction of one core. */
  clientCpu: number;
  /** Measured steady per-flow throughput, Mbit/s each way. */
  perFlowMbps: number;
  /** UDP datagrams dropped for a full receive buffer in coturn's network namespace. */
  coturnRcvbufErrors: number;
  /** coturn's drops by socket: listener port 3478 vs relay ports. */
  coturnSocketDrops: { listener: number; relay: number };
  /** The same in the generator's namespace (-1: not sampled). */
  clientRcvbufErrors: number;
}

export async function runStep(
  context: BenchmarkContext,
  network: string,
  turn: Container,
  turnIp: string,
  credential: { username: string; password: string },
  flows: number,
  seconds: number,
): Promise<Step> {
  const messages = Math.round((seconds * 1000) / INTERVAL_MS);
  const turnPid = await turn.pid();
  const client = await runContainer(
    `uclient-${flows}`,
    ['--network', network, '--cpuset-cpus', '1', '--entrypoint', 'turnutils_uclient'],
    CLIENT_IMAGE,
    [
      '-y',
      '-c',
      '-m',
      String(flows),
      '-l',
      String(PACKET_BYTES),
      '-z',
      String(INTERVAL_MS),
      '-n',
      String(messages),
      '-u',
      credential.username,
      '-w',
      credential.password,
      turnIp,
    ],
  );
  const clientPid = await client.pid().catch(() => 0);
  // Receive-buffer drops per side: coturn's network namespace and the generator's.
  const coturnDropsBefore = udpReceiveBufferErrors(turnPid);
  const socketDropsBefore = udpDropsBySocket(turnPid, 3478);
  let clientDrops = { first: -1, last: -1 };
  const samples: { t: number; turn: number; client: number }[] = [];
  const started = Date.now();
  const deadline = started + seconds * 1000 + 120_000;
  let running = true;
  const waited = docker(['wait', client.name], seconds * 1000 + 150_000).finally(() => {
    running = false;
  });
  while (running && Date.now() < deadline) {
    try {
      samples.push({
        t: (Date.now() - started) / 1000,
        turn: cpuSeconds(turnPid),
        client: clientPid > 0 ? cpuSeconds(clientPid) : 0,
      });
      if (clientPid > 0) {
        const now = udpReceiveBufferErrors(clientPid);
        clientDrops = { first: clientDrops.first < 0 ? now : clientDrops.first, last: now };
      }
    } catch {
      // the client exited between two samples
    }
    await sleep(500);
  }
  const exit = (await waited).trim();
  const output = await docker(['logs', client.name]).catch((e: unknown) => String(e));
  await client.remove();
  if (exit !== '0')
    throw new Error(`turnutils_uclient exited with ${exit}: ${output.slice(-1500)}`);
  const report = parseUclient(output, flows);
  // Steady state: the seconds where throughput was at least 80 % of its peak.
  const peak = Math.max(...report.perSecondBytes.map((p) => p.bytes));
  const steady = report.perSecondBytes.filter((p) => p.bytes >= 0.8 * peak);
  // CPU: the busiest 4-second window of the run (uclient's progress seconds do not line
  // up exactly with the bench's clock, and the busiest window is the conservative figure).
  const busiest = (key: 'turn' | 'client'): number => {
    let best = 0;
    for (let i = 0; i < samples.length; i++) {
      const a = samples[i]!;
      const b = samples.find((x) => x.t >= a.t + 4);
      if (!b) break;
      best = Math.max(best, (b[key] - a[key]) / (b.t - a.t));
    }
    return best;
  };
  const steadyBytes = steady.map((p) => p.bytes);
  const step: Step = {
    flows,
    report,
    coturnCpu: busiest('turn'),
    clientCpu: busiest('client'),
    perFlowMbps: (median(steadyBytes) * 8) / 1e6 / flows,
    coturnRcvbufErrors: udpReceiveBufferErrors(turnPid) - coturnDropsBefore,
    coturnSocketDrops: ((after) => ({
      listener: after.listener - socketDropsBefore.listener,
      relay: after.relay - socketDropsBefore.relay,
    }))(udpDropsBySocket(turnPid, 3478)),
    // Sampled while uclient ran (its namespace goes with it); -1 = never sampled.
    clientRcvbufErrors: clientDrops.first < 0 ? -1 : clientDrops.last - clientDrops.first,
  };
  context.log(
    `${flows} flows: loss ${report.lossPercent}% , jitter avg ${report.jitterAvgMs} ms, rtt avg ${report.rttAvgMs} ms, ` +
      `${step.perFlowMbps.toFixed(2)} Mbit/s per flow, coturn CPU ${(step.coturnCpu * 100).toFixed(0)} %, uclient CPU ${(step.clientCpu * 100).toFixed(0)} %, receive-buffer drops coturn ${step.coturnRcvbufErrors} (listener ${step.coturnSocketDrops.listener}, relay ${step.coturnSocketDrops.relay}) / uclient ${step.clientRcvbufErrors}`,
  );
  return step;
}
