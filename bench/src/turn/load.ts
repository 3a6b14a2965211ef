import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from '../lib/cleanup.ts';
import { createNetwork, docker, runContainer, type Container } from '../lib/docker.ts';
import { startGatewayServer } from '../lib/gateway.ts';
import { cpuSeconds, run } from '../lib/process.ts';
import { row, type BenchmarkContext, type Row } from '../lib/result.ts';
import { atMost, below } from '../lib/targets.ts';
import { lineChartSvg } from '../lib/svg.ts';
import { median } from '../lib/stats.ts';
import { sleep } from '../lib/time.ts';
import { udpDropsBySocket, udpReceiveBufferErrors } from './udp-counters.ts';
import { parseUclient, type UclientReport } from './uclient.ts';

const TURN_IMAGE = 'callgate-bench/turn:latest';
const CLIENT_IMAGE = 'coturn/coturn:4.6';
export const PACKET_BYTES = 1000;
/** 1000 B every 8 ms = 1 Mbit/s per flow in each direction. */
export const INTERVAL_MS = 8;

interface Step {
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

async function selfSignedCert(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'callgate-bench-certs-'));
  onCleanup('certificate directory', () => rmSync(dir, { recursive: true, force: true }));
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=turn',
    '-keyout',
    join(dir, 'privkey.pem'),
    '-out',
    join(dir, 'fullchain.pem'),
  ]);
  // coturn runs as nobody inside the container.
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'privkey.pem'), 0o644);
  chmodSync(join(dir, 'fullchain.pem'), 0o644);
  return dir;
}

async function runStep(
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

/** Loss, CPU, jitter and throughput of one load step (the 50 and 200 flows). */
function stepRows(step: Step): Row[] {
  return [
    row(
      `Packet loss at ${step.flows} flows`,
      '%',
      step.report.lossPercent,
      '—',
      null,
      '0 %',
      atMost(step.report.lossPercent, 0),
    ),
    row(
      `coturn CPU at ${step.flows} flows (share of one core)`,
      '%',
      step.coturnCpu * 100,
      '—',
      null,
      step.flows <= 50 ? '< 50 %' : '< 80 %',
      below(step.coturnCpu, step.flows <= 50 ? 0.5 : 0.8),
    ),
    row(
      `Average jitter at ${step.flows} flows`,
      'ms',
      step.report.jitterAvgMs,
      '—',
      null,
      '—',
      null,
    ),
    row(
      `Throughput per flow at ${step.flows} flows (each way)`,
      'Mbit/s',
      step.perFlowMbps,
      'offered',
      1,
      '≈ 1 Mbit/s',
      null,
    ),
  ];
}

export interface LoadFigures {
  rows: Row[];
  table: string;
  chart: string;
  notes: string[];
  seconds: number;
}

/**
 * Relayed flows at ~1 Mbit/s each way through the project's coturn image on a network the
 * bench creates: 50, 100, 200, 400 flows (`--quick`: 10, 20), stopping at heavy loss.
 */
export async function measureLoad(context: BenchmarkContext): Promise<LoadFigures> {
  const quick = context.quick;
  const steps = quick ? [10, 15, 20] : [50, 100, 200, 400];
  const seconds = quick ? 5 : 15;

  context.log('building the turn/ image');
  await docker(['build', '-q', '-t', TURN_IMAGE, join(context.repoRoot, 'turn')]);
  const gateway = await startGatewayServer(context, { turnHost: 'turn' });
  try {
    const [user] = await gateway.users(1);
    const issued = await gateway.turnCredentials(user!);
    const server = issued.iceServers[0]!;
    const credential = { username: server.username, password: server.credential };
    context.log(
      `gateway issued TURN credentials for ${server.urls.join(', ')} (ttl ${issued.ttl} s)`,
    );

    const certs = await selfSignedCert();
    const network = await createNetwork('turn');
    const turn = await runContainer(
      'turn',
      [
        '--network',
        network.name,
        '--network-alias',
        'turn',
        '--cpuset-cpus',
        '0',
        '-v',
        `${certs}:/etc/callgate/certs:ro`,
        '-e',
        `TURN_SECRETS=${gateway.turnSecret}`,
        // Both ends of every flow relay through this coturn on the bench network: its own
        // (private) address must be an allowed peer — the documented switch for that.
        '-e',
        'ALLOWED_PEER_IPS=self',
        // One credential drives every flow, so the per-user quota (24 by default) is raised
        // to the total quota, whose default is the relay range (10,000 ports here): the
        // entrypoint refuses a total above the range and a user quota above the total.
        '-e',
        'TURN_USER_QUOTA=10000',
        '-e',
        'TURN_MIN_PORT=40000',
        '-e',
        'TURN_MAX_PORT=49999',
      ],
      TURN_IMAGE,
    );
    const turnIp = await turn.ip();
    await sleep(1500);
    // The entrypoint refuses bad settings with one sentence and exits: say it, not uclient's 255.
    const state = (await docker(['inspect', '-f', '{{.State.Running}}', turn.name])).trim();
    if (state !== 'true') throw new Error(`the turn container exited: ${await turn.logs()}`);
    const results: Step[] = [];
    for (const flows of steps) {
      const step = await runStep(context, network.name, turn, turnIp, credential, flows, seconds);
      results.push(step);
      if (step.report.lossPercent > 5 || step.coturnCpu > 0.98) break;
    }
    // The two figures: 50 and 200 flows (10 and 20 with --quick).
    const reported = results.filter((s) => s.flows === steps[0] || s.flows === steps[2]);
    // The knee: the last step with no loss, coturn below 80 % of its core and every flow
    // still getting ≥ 80 % of its offered rate.
    const healthy = (s: Step) =>
      s.report.lossPercent === 0 && s.coturnCpu < 0.8 && s.perFlowMbps >= 0.8;
    const knee = [...results].reverse().find(healthy);
    const firstBad = results.find((s) => !healthy(s));

    const rows = [
      ...reported.flatMap(stepRows),
      row(
        'Knee: most flows with 0 % loss, coturn < 80 % of a core, ≥ 0.8 Mbit/s per flow',
        'flows',
        knee?.flows ?? 0,
        '—',
        null,
        '—',
        null,
      ),
    ];
    const table = [
      '| Flows | Loss % | Jitter avg / max ms | RTT avg / max ms | Mbit/s per flow (each way) | coturn CPU | uclient CPU | receive-buffer drops coturn (listener + relay sockets) / uclient |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...results.map(
        (s) =>
          `| ${s.flows} | ${s.report.lossPercent} | ${s.report.jitterAvgMs.toFixed(2)} / ${s.report.jitterMaxMs} | ${s.report.rttAvgMs.toFixed(2)} / ${s.report.rttMaxMs} | ${s.perFlowMbps.toFixed(2)} | ${(s.coturnCpu * 100).toFixed(0)} % | ${(s.clientCpu * 100).toFixed(0)} % | ${s.coturnRcvbufErrors} (${s.coturnSocketDrops.listener} + ${s.coturnSocketDrops.relay}) / ${s.clientRcvbufErrors} |`,
      ),
    ].join('\n');
    const chart = lineChartSvg({
      title: 'coturn under relayed load',
      xLabel: 'concurrent relayed flows (1 Mbit/s each way)',
      yLabel: 'percent',
      series: [
        {
          name: 'coturn CPU % of a core',
          points: results.map((s) => [s.flows, s.coturnCpu * 100] as const),
        },
        {
          name: 'uclient CPU %',
          points: results.map((s) => [s.flows, s.clientCpu * 100] as const),
        },
        {
          name: 'packet loss %',
          points: results.map((s) => [s.flows, s.report.lossPercent] as const),
        },
        {
          name: '50 % target',
          dashed: true,
          points: [
            [steps[0]!, 50],
            [steps[steps.length - 1]!, 50],
          ],
        },
      ],
    });
    const notes = [
      firstBad
        ? `Beyond the knee (${firstBad.flows} flows): ${firstBad.report.lossPercent} % loss, coturn ${(firstBad.coturnCpu * 100).toFixed(0)} % of its core, uclient ${(firstBad.clientCpu * 100).toFixed(0)} % of its core — when uclient is near 100 %, the generator, not coturn, is the limit.`
        : `No step reached the knee criteria up to ${results[results.length - 1]!.flows} flows.`,
      'The per-user quota (`TURN_USER_QUOTA`, default 24) was raised for the load steps because one gateway-issued credential drives every flow; `TURN_TOTAL_QUOTA` stays at its default, the size of the relay range (10,000 ports in this container; 16,384 in the default stack).',
    ];
    return { rows, table, chart, notes, seconds };
  } finally {
    await gateway.stop();
  }
}
