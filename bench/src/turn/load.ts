import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from '../lib/cleanup.ts';
import { createNetwork, docker, runContainer } from '../lib/docker.ts';
import { startGatewayServer } from '../lib/gateway.ts';
import { run } from '../lib/process.ts';
import { row, type BenchmarkContext, type Row } from '../lib/result.ts';
import { atMost, below } from '../lib/targets.ts';
import { lineChartSvg } from '../lib/svg.ts';
import { sleep } from '../lib/time.ts';
import { runStep, type Step } from './load-step.ts';

const TURN_IMAGE = 'callgate-bench/turn:latest';

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
