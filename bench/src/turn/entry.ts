import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAdminCommand, type InvitingAdmin } from '@callgate/e2e-support/invites';
import { onCleanup } from '../lib/cleanup.ts';
import { row, type BenchmarkContext, type Row } from '../lib/result.ts';
import { median } from '../lib/stats.ts';
import { measureCapacity, type CapacityResult } from './capacity.ts';
import { sweepUntilRefusal } from './sweep.ts';
import { coturnRelaySockets, runCalls, type CallResult } from './relay-calls.ts';

/**
 * The relay as a person's browser meets it: the default `docker compose up` (coturn on the
 * host network, REGISTRATION=invite), with every listening and relay address pinned to
 * loopback so no relay address is ever this machine's LAN address (the bench's network
 * rule). 172.17.0.1 (docker0) is a listener only: web's TURN/TLS leg reaches coturn there.
 */
const LOOPBACK_ENV = [
  'TURN_LISTEN_IPS=127.0.0.1,172.17.0.1',
  'TURN_RELAY_IPS=127.0.0.1',
  'TURN_ALLOW_LOOPBACK_PEERS=true',
  'TURN_HOST=localhost',
].join('\n');

/** The steps of the entry part, runnable alone with `--step` (benchmark.ts adds `load`). */
export const ENTRY_STEPS = ['quota', 'capacity', 'calls', 'sweep'] as const;

/** Fake camera frame rate for the Chromium calls (Chromium's own default is 20). */
const CALL_FPS = 20;

export interface EntryFigures {
  rows: Row[];
  details: string[];
  notes: string[];
}

function compose(repoRoot: string, args: string[]): string {
  // Output is captured (an error carries it), not streamed into the bench's log.
  return execFileSync('docker', ['compose', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The bench's admin, made (or re-made, new password) with the documented command. */
function benchAdmin(repoRoot: string): InvitingAdmin {
  const admin = { username: 'bench-admin', password: randomBytes(18).toString('hex') };
  compose(repoRoot, ['exec', '-T', 'gateway', ...createAdminCommand(admin)]);
  return admin;
}

const wanted = (context: BenchmarkContext, step: (typeof ENTRY_STEPS)[number]): boolean =>
  context.steps === null || context.steps.includes(step);

const carriesVideo = (c: CallResult): boolean => c.framesDecodedLast5s.every((f) => f > 0);
/**
 * Both sides send from a TURN/UDP allocation (getStats' local candidate and the badge). The
 * remote end may show as `prflx`: the peer's relay address, learnt from its checks before
 * its trickled candidate arrived.
 */
const onUdp = (c: CallResult): boolean =>
  c.paths.every((p) => p.startsWith('relay/udp ↔ ')) &&
  c.badges.every((b) => b === 'Relayed (TURN/UDP)');

function quotaRows(fullQuota: CapacityResult, afterQuota: CallResult | undefined): Row[] {
  return [
    row(
      '10 accounts asking for 30 each hold their full quota (24)',
      'allocations',
      fullQuota.held,
      'acceptance',
      240,
      '= 240',
      fullQuota.held === 240,
    ),
    row(
      'Their allocations beyond the quota refused (486)',
      'refusals',
      fullQuota.refused,
      'asked beyond quota',
      60,
      '≥ 10 (each account)',
      fullQuota.refused >= 10,
    ),
    row(
      'An 11th account allocates while 10 hold their full quota',
      'yes = 1',
      fullQuota.extraAccountAllocated ? 1 : 0,
      'acceptance',
      1,
      '= 1',
      fullQuota.extraAccountAllocated,
    ),
    ...(afterQuota
      ? [
          row(
            'Then a relay-only Chromium call between two other people carries video',
            'yes = 1',
            carriesVideo(afterQuota) ? 1 : 0,
            'acceptance',
            1,
            '= 1',
            carriesVideo(afterQuota),
          ),
        ]
      : []),
  ];
}

function capacityRows(capacity: CapacityResult): Row[] {
  return [
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
  ];
}

function callRows(calls: CallResult[], pairs: number): Row[] {
  const relayed = calls.filter((c) => c.relayOnly);
  const direct = calls.filter((c) => !c.relayOnly);
  return [
    row(
      'Allocations held by a direct call (two Chromiums on this host)',
      'allocations',
      direct.length > 0 ? median(direct.map((c) => c.relaySockets)) : null,
      '—',
      null,
      '—',
      null,
    ),
    row(
      'Allocations held by a relay-only call, median (two Chromiums on this host)',
      'allocations',
      relayed.length > 0 ? median(relayed.map((c) => c.relaySockets)) : null,
      '—',
      null,
      '—',
      null,
    ),
    row(
      'Concurrent relay-only Chromium calls carrying video',
      'calls',
      relayed.filter(carriesVideo).length,
      'acceptance',
      6,
      `≥ ${pairs}`,
      relayed.length >= pairs && relayed.every(carriesVideo),
    ),
    row(
      'Relay-only calls over TURN/UDP (getStats + badge)',
      'calls',
      relayed.filter(onUdp).length,
      'before: TURN/TCP via the proxy',
      0,
      'all',
      relayed.length > 0 && relayed.every(onUdp),
    ),
    row(
      'Relay-only: accept → first decoded frame, median of the concurrent calls',
      'ms',
      relayed.length > 0 ? median(relayed.map((c) => c.acceptToFirstFrameMs)) : null,
      '—',
      null,
      '—',
      null,
    ),
  ];
}

function callTable(calls: CallResult[]): string {
  return [
    '| call | mode | accept → first frame (ms) | selected pair, getStats (caller / callee) | badges | relay sockets added | held before | frames decoded in 5 s (caller/callee) |',
    '| ---: | --- | ---: | --- | --- | ---: | ---: | --- |',
    ...calls.map(
      (c) =>
        `| ${c.pair + 1} | ${c.relayOnly ? 'relay-only' : 'direct'} | ${c.acceptToFirstFrameMs} | ${c.paths.join(' / ')} | ${c.badges.join(' / ')} | ${c.relaySockets} | ${c.heldBefore} | ${c.framesDecodedLast5s.join(' / ')} |`,
    ),
  ].join('\n');
}

export async function measureEntry(context: BenchmarkContext): Promise<EntryFigures> {
  const envFile = join(context.repoRoot, 'tmp', 'bench-turn-loopback.env');
  mkdirSync(join(context.repoRoot, 'tmp'), { recursive: true });
  writeFileSync(envFile, `${LOOPBACK_ENV}\n`);
  const running = compose(context.repoRoot, ['ps', '-q', 'turn']).trim() !== '';
  context.log('default stack: docker compose up (coturn on the host network, loopback pins)');
  // Registered first: an `up` that fails half-way still leaves containers to remove.
  if (!running) {
    onCleanup('default compose stack', () => {
      compose(context.repoRoot, ['down', '-v']);
    });
  }
  compose(context.repoRoot, ['--env-file', envFile, 'up', '-d', '--build', '--wait']);
  const admin = benchAdmin(context.repoRoot);
  const rows: Row[] = [];
  const details: string[] = [];
  const notes: string[] = [];

  let fullQuota: CapacityResult | null = null;
  if (wanted(context, 'quota')) {
    // Each asks for more than its quota, so coturn's cap, not the client, decides what is held.
    context.log('10 accounts asking for 30 allocations each (user-quota 24), then an 11th account');
    fullQuota = measureCapacity(10, 30, 24);
    notes.push(
      `Quota run: ${fullQuota.held} allocations held for the 10 accounts ${fullQuota.fillSeconds.toFixed(1)} s after start (coturn's relay sockets: +${fullQuota.relaySocketsAdded}) (${fullQuota.topUps} accounts topped up after a lost answer); UDP receive-buffer drops on the host: ${fullQuota.udpReceiveBufferErrors}. ${fullQuota.diagnosis}.`,
    );
  }
  let capacity: CapacityResult | null = null;
  if (wanted(context, 'capacity')) {
    context.log('1,000 allocations: 100 accounts × 10, then a 101st account');
    capacity = measureCapacity(100, 10);
    rows.push(...capacityRows(capacity));
    notes.push(
      `Capacity run: ${capacity.held} allocations held for the 100 accounts ${capacity.fillSeconds.toFixed(1)} s after start (coturn's relay sockets: +${capacity.relaySocketsAdded}), ${capacity.refused} refused, ${capacity.topUps} accounts topped up after a lost answer; UDP receive-buffer drops on the host: ${capacity.udpReceiveBufferErrors}. ${capacity.diagnosis}.`,
    );
  }
  // BENCH_TURN_CALLS: more pairs, to find what the machine holds (the acceptance is 6).
  const pairs = context.quick ? 2 : Number(process.env['BENCH_TURN_CALLS'] ?? 6);
  let calls: CallResult[] = [];
  if (wanted(context, 'calls')) {
    // Placed while the allocations above are still held (uclient does not release them;
    // coturn keeps them for their 10-minute lifetime): the first relay-only call is the
    // "two other people still connect" check of the quota step.
    context.log(
      `${pairs} concurrent relay-only calls (after 1 direct) in Chromium through https://localhost:8443; ${coturnRelaySockets()} allocations held`,
    );
    calls = await runCalls({
      url: 'https://localhost:8443/',
      admin,
      directCalls: 1,
      relayPairs: pairs,
      fps: CALL_FPS,
    });
    rows.push(...callRows(calls, pairs));
    details.push(callTable(calls));
    notes.push(
      `Chromium: one headless process (/usr/bin/chromium), one browser context per person, 640×480 viewport, fake camera at ${CALL_FPS} fps (the app asks for 1280×720). The pages drop remote ICE candidates that are not on loopback, so a direct call between two pages of this host never sends to its LAN address; gathering (and so the allocations counted) is unchanged.`,
      'Relay sockets per call are counted with `ss` (process turnserver) and include every allocation the two Chromiums made: one per TURN URL the page gives the connection per network interface Chromium sees (this host has about a dozen, most of them Docker bridges), capped by `user-quota`. The page gives only the TURN/UDP URL once its probe found the relay reachable over UDP (web/src/app/call/udp-relay-probe.ts), else TURN/UDP and TURN/TLS on the web port. In the e2e topology (one interface) a relay-only call held 4 with both URLs.',
    );
  }
  if (fullQuota) {
    rows.unshift(
      ...quotaRows(
        fullQuota,
        calls.find((c) => c.relayOnly),
      ),
    );
  }
  // Last: it leaves the relay full until the sweep's allocations expire (10 minutes).
  if (wanted(context, 'sweep')) {
    // Above total-quota on purpose: the refusal, not the limit, should end the sweep.
    const limit = context.quick ? 2_000 : 20_000;
    context.log(`allocations until the first refusal (accounts of 24, up to ${limit})`);
    const sweep = sweepUntilRefusal(24, 50, limit);
    // Counted for coturn as a whole: the sweep's own plus what earlier steps still hold.
    const total = sweep.heldBefore + (sweep.firstRefusalAt ?? sweep.held);
    rows.push(
      row(
        'Allocations held at the first refusal (all users, through the host listener)',
        'allocations',
        total,
        'before (published 41-port range)',
        41,
        '≥ 1,000',
        total >= 1000,
      ),
    );
    notes.push(
      `Sweep: ${sweep.accounts} accounts of 24 allocations added 50 at a time while ${sweep.heldBefore} allocations were already held; ${sweep.firstRefusalAt === null ? `no refusal up to ${total}` : `first refusal at ${total} in all: ${sweep.refusal ?? ''}`}. ${sweep.diagnosis}. ${sweep.sessionLimit ?? ''}`,
    );
  }
  // The notes are the evidence behind each row; `--step` runs print them too.
  for (const note of notes) context.log(note);
  return { rows, details, notes };
}
