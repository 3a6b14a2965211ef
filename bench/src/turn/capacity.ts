/**
 * Relay capacity of the running default stack (`docker compose up`), through the path
 * browsers use: coturn's host listener on 127.0.0.1:3478, from a load-generator container on
 * the host network (coturn's own turnutils_uclient).
 *
 *   node bench/src/turn/capacity.ts [accounts=100] [allocationsPerAccount=10]
 *
 * Each account gets a credential signed exactly as the gateway signs it (HMAC-SHA1 of
 * "<expiry>:<user id>" with the stack's TURN secret, read from the turn container) and holds
 * `allocationsPerAccount` allocations (uclient -y: two per client, kept until they expire).
 * Then one more account must still allocate. Counts are coturn's relay sockets (ss).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { coturnRelaySockets } from './relay-calls.ts';

const CLIENT_IMAGE = 'coturn/coturn:4.6';

export interface CapacityResult {
  accounts: number;
  perAccount: number;
  held: number;
  /** Allocations refused while filling (486 / 508 answers seen by the clients). */
  refused: number;
  extraAccountAllocated: boolean;
  fillSeconds: number;
}

function credential(secret: string, userId: string): { username: string; password: string } {
  const username = `${Math.floor(Date.now() / 1000) + 3600}:${userId}`;
  return { username, password: createHmac('sha1', secret).update(username).digest('base64') };
}

function compose(...args: string[]): string {
  return execFileSync('docker', ['compose', ...args], { encoding: 'utf8' });
}

/** Allocations held at the first refusal when accounts keep adding `perAccount` each. */
export interface SweepResult {
  /** Allocations the sweep itself held (at the refusal, or at the limit). */
  held: number;
  /** Allocations coturn already held for others when the sweep started. */
  heldBefore: number;
  firstRefusalAt: number | null;
  refusal: string | null;
  accounts: number;
}

/** The relay's current shared secret (the first of a rotation list). */
function turnSecret(): string {
  return compose('exec', '-T', 'turn', 'cat', '/run/callgate-turn-secrets/turn_secrets')
    .trim()
    .split(',')[0]!;
}

/** A host-network container with coturn's clients, idle for up to 15 min; returns its name. */
function startClientContainer(name: string): string {
  execFileSync('docker', [
    'run',
    '-d',
    '--rm',
    '--name',
    name,
    '--network',
    'host',
    '--entrypoint',
    'sleep',
    CLIENT_IMAGE,
    '900',
  ]);
  return name;
}

export function measureCapacity(accounts: number, perAccount: number): CapacityResult {
  const secret = turnSecret();
  const name = startClientContainer(`callgate-bench-uclient-${process.pid}`);
  try {
    const before = coturnRelaySockets();
    const started = Date.now();
    // Every account's clients run at once and keep their allocations alive for ~90 s
    // (one 100-byte packet per second per allocation, -z 1000 -n 90), so what is counted
    // is concurrent allocations, not ones already released.
    const script = Array.from({ length: accounts }, () => {
      const { username, password } = credential(secret, randomUUID());
      // -y: client-to-client through the relay, two allocations per client.
      return `turnutils_uclient -p 3478 -y -l 100 -z 1000 -n 90 -m ${perAccount / 2} -u '${username}' -w '${password}' 127.0.0.1 >/tmp/u-$RANDOM$RANDOM.log 2>&1 &`;
    }).join('\n');
    execFileSync('docker', ['exec', '-d', name, 'bash', '-c', `${script}\nwait`]);
    let held = coturnRelaySockets() - before;
    while (held < accounts * perAccount && Date.now() - started < 60_000) {
      execFileSync('sleep', ['1']);
      held = coturnRelaySockets() - before;
    }
    const fillSeconds = (Date.now() - started) / 1000;
    const extra = credential(secret, randomUUID());
    const extraOut = execFileSync(
      'docker',
      [
        'exec',
        name,
        'sh',
        '-c',
        `turnutils_uclient -p 3478 -y -n 1 -m 1 -u '${extra.username}' -w '${extra.password}' 127.0.0.1 2>&1 || true`,
      ],
      { encoding: 'utf8' },
    );
    const refused = Number(
      execFileSync(
        'docker',
        ['exec', name, 'sh', '-c', "cat /tmp/u-*.log | grep -cE 'error (486|508)' || true"],
        {
          encoding: 'utf8',
        },
      ).trim() || '0',
    );
    return {
      accounts,
      perAccount,
      held,
      refused,
      extraAccountAllocated:
        /Total lost packets 0 /.test(extraOut) && !/error (486|508)/.test(extraOut),
      fillSeconds,
    };
  } finally {
    execFileSync('docker', ['rm', '-f', name]);
  }
}

/**
 * Adds batches of `batch` accounts × `perAccount` allocations (kept alive, one packet per
 * 5 s each) until coturn refuses one or `limit` allocations are held.
 */
export function sweepUntilRefusal(perAccount: number, batch: number, limit: number): SweepResult {
  const secret = turnSecret();
  const name = startClientContainer(`callgate-bench-sweep-${process.pid}`);
  try {
    const before = coturnRelaySockets();
    let accounts = 0;
    let held = 0;
    while (held < limit) {
      const script = Array.from({ length: batch }, () => {
        const { username, password } = credential(secret, randomUUID());
        return `turnutils_uclient -p 3478 -y -l 100 -z 5000 -n 60 -m ${perAccount / 2} -u '${username}' -w '${password}' 127.0.0.1 >/tmp/s-$RANDOM$RANDOM.log 2>&1 &`;
      }).join('\n');
      execFileSync('docker', ['exec', '-d', name, 'bash', '-c', `${script}\nwait`]);
      accounts += batch;
      const wanted = Math.min(limit, accounts * perAccount);
      const deadline = Date.now() + 30_000;
      while (held < wanted && Date.now() < deadline) {
        execFileSync('sleep', ['1']);
        held = coturnRelaySockets() - before;
      }
      const refusal = execFileSync(
        'docker',
        [
          'exec',
          name,
          'sh',
          '-c',
          "cat /tmp/s-*.log | grep -m1 -oE 'error [0-9]{3}[^\n]*' || true",
        ],
        { encoding: 'utf8' },
      ).trim();
      if (refusal !== '' || held < wanted) {
        return {
          held,
          heldBefore: before,
          firstRefusalAt: held,
          refusal: refusal || 'allocations stopped growing',
          accounts,
        };
      }
    }
    return { held, heldBefore: before, firstRefusalAt: null, refusal: null, accounts };
  } finally {
    execFileSync('docker', ['rm', '-f', name]);
  }
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === 'sweep') {
  console.log(JSON.stringify(sweepUntilRefusal(24, 50, Number(process.argv[3] ?? 20000)), null, 2));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const result = measureCapacity(Number(process.argv[2] ?? 100), Number(process.argv[3] ?? 10));
  console.log(JSON.stringify(result, null, 2));
}
