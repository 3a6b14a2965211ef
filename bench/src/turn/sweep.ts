/**
 * Allocations until coturn's first refusal, on the running default stack: accounts of
 * `perAccount` allocations are added `batch` at a time until coturn answers 486/508.
 *
 * The clients run in a container on Docker's default bridge and reach coturn's listener on
 * the bridge address (pinned by the bench next to 127.0.0.1). On the host network their
 * thousands of client sockets would take ephemeral ports (32768-60999 on Linux) out of
 * coturn's relay range (49152-65535) — the generator would then measure its own port use.
 * The echo peer stays on the host's loopback, where coturn relays to.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  compose,
  credential,
  startClientContainer,
  startPeer,
  turnSecret,
  uclientLine,
} from './capacity.ts';
import { describeDiagnosis, diagnoseAllocations } from './diagnosis.ts';
import { coturnRelaySockets } from './relay-calls.ts';

export interface SweepResult {
  /** Allocations the sweep itself held (at the refusal, or at the limit). */
  held: number;
  /** Allocations coturn already held for others when the sweep started. */
  heldBefore: number;
  firstRefusalAt: number | null;
  /** coturn's own log line for the first refusal, or why the sweep stopped without one. */
  refusal: string | null;
  accounts: number;
  /** coturn's answers, closed sessions and client errors over the whole sweep. */
  diagnosis: string;
  /** coturn's own start-up estimate of the sessions its open-file limit allows. */
  sessionLimit: string | null;
}

function bridgeGateway(): string {
  return execFileSync(
    'docker',
    ['network', 'inspect', 'bridge', '--format', '{{(index .IPAM.Config 0).Gateway}}'],
    { encoding: 'utf8' },
  ).trim();
}

/** coturn's first 486/508 answer since `since`, as coturn logged it (timestamp dropped). */
function firstRefusal(log: string): string | null {
  const line = log.split('\n').find((l) => /processed, error (486|508)/.test(l));
  return line ? line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/^\S+: /, '') : null;
}

/**
 * coturn prints at start how many sessions its open-file limit allows (two descriptors per
 * session: the client's and the relay's); the engine's limit for containers decides it.
 */
function openFileLimit(): string | null {
  const log = compose('logs', '--no-log-prefix', 'turn');
  const files = /Max number of open files\/sockets allowed for this process: (\d+)/.exec(log);
  const sessions = /max supported number of TURN Sessions possible is: (\d+)/.exec(log);
  return files && sessions
    ? `coturn's open-file limit is ${files[1]}, so it supports about ${sessions[1]} sessions (its start-up log)`
    : null;
}

export function sweepUntilRefusal(perAccount: number, batch: number, limit: number): SweepResult {
  const secret = turnSecret();
  const server = bridgeGateway();
  const peer = startClientContainer(`callgate-bench-sweep-peer-${process.pid}`);
  const name = startClientContainer(`callgate-bench-sweep-${process.pid}`, 'bridge');
  const passwords = new Map<string, string>();
  const since = new Date().toISOString();
  const log = (): string => compose('logs', '--no-log-prefix', '--since', since, 'turn');
  const clients = (users: [string, number][]): void => {
    // One packet per 5 s per allocation keeps them alive without flooding the relay, for
    // longer than any sweep (the container is removed at the end). Clients must stay:
    // with one packet and exit, coturn closed half of the allocations within a minute
    // ("allocation timeout"), and with 300 s of life a 330-s sweep lost its first batches.
    const script = users
      .map(([u, n]) =>
        uclientLine(u, passwords.get(u)!, n / 2, 400, '/tmp/s-$RANDOM$RANDOM.log', 5000, server),
      )
      .join('\n');
    execFileSync('docker', ['exec', '-d', name, 'bash', '-c', `${script}\nwait`]);
  };
  try {
    startPeer(peer);
    const before = coturnRelaySockets();
    let held = 0;
    const waitWhileGrowing = (wanted: number): void => {
      let grewAt = Date.now();
      while (held < wanted && Date.now() - grewAt < 15_000) {
        execFileSync('sleep', ['1']);
        const now = coturnRelaySockets() - before;
        if (now > held) grewAt = Date.now();
        held = now;
      }
    };
    const result = (refusal: string | null): SweepResult => {
      const users = [...passwords.keys()];
      const clientLogs = execFileSync('docker', ['exec', name, 'sh', '-c', 'cat /tmp/s-*.log'], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      return {
        held,
        heldBefore: before,
        firstRefusalAt: refusal === null ? null : held,
        refusal,
        accounts: users.length,
        diagnosis: describeDiagnosis(diagnoseAllocations(log(), clientLogs), users, perAccount),
        sessionLimit: openFileLimit(),
      };
    };
    while (held < limit) {
      const fresh = Array.from({ length: batch }, (): [string, number] => {
        const { username, password } = credential(secret, randomUUID());
        passwords.set(username, password);
        return [username, perAccount];
      });
      clients(fresh);
      const wanted = Math.min(limit, passwords.size * perAccount);
      waitWhileGrowing(wanted);
      let refusal = firstRefusal(log());
      if (refusal === null && held < wanted) {
        // A uclient that lost one STUN answer waits forever (it never retransmits): give
        // the short accounts of this sweep a second client once before calling it a stop.
        const granted = diagnoseAllocations(log(), '').allocatedPerUser;
        const short = [...passwords.keys()]
          .map((u): [string, number] => [u, perAccount - (granted.get(u) ?? 0)])
          .filter(([, missing]) => missing > 0)
          .map(([u, missing]): [string, number] => [u, missing + (missing % 2)]);
        if (short.length > 0) clients(short);
        waitWhileGrowing(wanted);
        refusal = firstRefusal(log());
      }
      if (refusal !== null) return result(refusal);
      if (held < wanted) {
        return result('allocations stopped growing for 15 s with no 486/508 from coturn');
      }
    }
    return result(null);
  } finally {
    execFileSync('docker', ['rm', '-f', name, peer]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(sweepUntilRefusal(24, 50, Number(process.argv[2] ?? 20000)), null, 2));
}
