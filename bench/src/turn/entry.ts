import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onCleanup } from '../lib/cleanup.ts';
import { row, type BenchmarkContext, type Row } from '../lib/result.ts';
import { measureCapacity, sweepUntilRefusal } from './capacity.ts';
import { runRelayCalls } from './relay-calls.ts';

/**
 * The relay as a person's browser meets it: the default `docker compose up` (coturn on the
 * host network), with every listening and relay address pinned to loopback so no relay
 * address is ever this machine's LAN address (the bench's network rule).
 */
const LOOPBACK_ENV = [
  'TURN_LISTEN_IPS=127.0.0.1,172.17.0.1',
  'TURN_RELAY_IPS=127.0.0.1',
  'TURN_ALLOW_LOOPBACK_PEERS=true',
  'TURN_HOST=localhost',
  // The bench signs up its own people (the default is invite-only).
  'REGISTRATION=open',
].join('\n');

export interface EntryFigures {
  rows: Row[];
  details: string[];
  notes: string[];
}

function compose(repoRoot: string, args: string[]): string {
  return execFileSync('docker', ['compose', ...args], { cwd: repoRoot, encoding: 'utf8' });
}

export async function measureEntry(context: BenchmarkContext): Promise<EntryFigures> {
  const envFile = join(context.repoRoot, 'tmp', 'bench-turn-loopback.env');
  mkdirSync(join(context.repoRoot, 'tmp'), { recursive: true });
  writeFileSync(envFile, `${LOOPBACK_ENV}\n`);
  const running = compose(context.repoRoot, ['ps', '-q', 'turn']).trim() !== '';
  context.log('default stack: docker compose up (coturn on the host network, loopback pins)');
  compose(context.repoRoot, ['--env-file', envFile, 'up', '-d', '--build', '--wait']);
  if (!running) {
    onCleanup('default compose stack', () => {
      compose(context.repoRoot, ['down']);
    });
  }

  context.log('10 accounts at their full user-quota (24 each), then an 11th account');
  const fullQuota = measureCapacity(10, 24);
  context.log('1,000 allocations: 100 accounts × 10, then a 101st account');
  const capacity = measureCapacity(100, 10);
  // The calls run while those 1,240 allocations are still held (uclient does not release
  // them; coturn keeps them for their 10-minute lifetime).
  const pairs = context.quick ? 2 : 6;
  context.log(`${pairs} concurrent relay-only calls in Chromium through https://localhost:8443`);
  const calls = await runRelayCalls(pairs);
  // Last: it leaves the relay full until the sweep's allocations expire (10 minutes).
  const limit = context.quick ? 2_000 : 16_384;
  context.log(`allocations until the first refusal (accounts of 24, up to ${limit})`);
  const sweep = sweepUntilRefusal(24, 50, limit);

  const allVideo = calls.every((c) => c.framesDecodedLast5s.every((frames) => frames > 0));
  const allUdp = calls.every((c) => c.path === 'relay/udp ↔ relay/udp');
  const rows = [
    row(
      '10 accounts holding their full quota (24)',
      'allocations',
      fullQuota.held,
      'acceptance',
      240,
      '= 240',
      fullQuota.held >= 240,
    ),
    row(
      'Concurrent allocations, 100 accounts × 10 (host port, loopback)',
      'allocations',
      capacity.held,
      'acceptance',
      1000,
      '= 1,000',
      capacity.held >= 1000,
    ),
    row(
      '101st account allocates while 1,000 are held',
      'yes = 1',
      capacity.extraAccountAllocated ? 1 : 0,
      'acceptance',
      1,
      '= 1',
      capacity.extraAccountAllocated,
    ),
    row(
      'Allocations held at the first refusal',
      'allocations',
      sweep.firstRefusalAt ?? sweep.held,
      'before (published 41-port range)',
      41,
      '≥ 1,000',
      (sweep.firstRefusalAt ?? sweep.held) >= 1000,
    ),
    row(
      `Concurrent relay-only Chromium calls carrying video`,
      'calls',
      calls.filter((c) => c.framesDecodedLast5s.every((f) => f > 0)).length,
      'acceptance',
      6,
      '≥ 6',
      allVideo && calls.length >= 6,
    ),
    row(
      'Relay-only calls over TURN/UDP (getStats + badge)',
      'calls',
      calls.filter(
        (c) =>
          c.path === 'relay/udp ↔ relay/udp' && c.badges.every((b) => b === 'Relayed (TURN/UDP)'),
      ).length,
      'before: TURN/TCP via the proxy',
      0,
      'all',
      allUdp,
    ),
  ];
  const table = [
    '| call | accept → first frame (ms) | path (caller) | badges | relay sockets added | frames decoded in 5 s (caller/callee) |',
    '| ---: | ---: | --- | --- | ---: | --- |',
    ...calls.map(
      (c) =>
        `| ${c.pair + 1} | ${c.acceptToFirstFrameMs} | ${c.path} | ${c.badges.join(' / ')} | ${c.relaySockets} | ${c.framesDecodedLast5s.join(' / ')} |`,
    ),
  ].join('\n');
  const notes = [
    `Capacity run: ${capacity.held} allocations held ${capacity.fillSeconds.toFixed(1)} s after start, ${capacity.refused} refused; sweep: ${sweep.accounts} accounts, ${sweep.firstRefusalAt === null ? `no refusal up to ${sweep.held}` : `first refusal at ${sweep.firstRefusalAt}: ${sweep.refusal ?? ''}`}.`,
    'Relay sockets per call are counted with `ss` (process turnserver) and include every allocation the two Chromiums made: one per TURN URL per network interface Chromium sees (this host has about a dozen, most of them Docker bridges), capped by `user-quota`. In the e2e topology (one interface) a relay-only call holds 4.',
  ];
  return { rows, details: [table], notes };
}
