/**
 * Relay capacity of the running default stack (`docker compose up`), through the path
 * browsers use: coturn's host listener on 127.0.0.1:3478, from a load-generator container on
 * the host network (coturn's own turnutils_uclient).
 *
 *   node bench/src/turn/capacity.ts [accounts=100] [asked=10] [quota]
 *
 * Each account gets a credential signed exactly as the gateway signs it (HMAC-SHA1 of
 * "<expiry>:<user id>" with the stack's TURN secret, read from the turn container) and asks
 * for `asked` allocations (two per uclient client, relaying to an echo peer on loopback,
 * kept until they expire). Then one more account must still allocate. Counts are coturn's
 * relay sockets (ss).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { coturnRelaySockets } from './relay-calls.ts';
import { describeDiagnosis, diagnoseAllocations } from './diagnosis.ts';
import { udpReceiveBufferErrors } from './udp-counters.ts';

const CLIENT_IMAGE = 'coturn/coturn:4.6';
/** The echo peer's port on 127.0.0.1 (turnutils_peer, in the client container). */
const PEER_PORT = 3480;

export interface CapacityResult {
  accounts: number;
  perAccount: number;
  /** Allocations coturn holds for these accounts (its log: created, not closed since). */
  held: number;
  /** Relay sockets of coturn added since the start (all users; a cross-check). */
  relaySocketsAdded: number;
  /** Allocations refused while filling (486 / 508 answers seen by the clients). */
  refused: number;
  extraAccountAllocated: boolean;
  fillSeconds: number;
  /** Accounts given a second uclient because their first one hung on a lost answer. */
  topUps: number;
  /** What coturn and the clients said (answers, closed sessions, client errors). */
  diagnosis: string;
  /** Host-wide UDP datagrams dropped for a full receive buffer during the run. */
  udpReceiveBufferErrors: number;
}

export function credential(secret: string, userId: string): { username: string; password: string } {
  const username = `${Math.floor(Date.now() / 1000) + 3600}:${userId}`;
  return { username, password: createHmac('sha1', secret).update(username).digest('base64') };
}

export function compose(...args: string[]): string {
  // coturn's verbose log of a 1,000-allocation run is several MB.
  return execFileSync('docker', ['compose', ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** The relay's current shared secret (the first of a rotation list). */
export function turnSecret(): string {
  return compose('exec', '-T', 'turn', 'cat', '/run/callgate-turn-secrets/turn_secrets')
    .trim()
    .split(',')[0]!;
}

/**
 * A container with coturn's clients, idle for up to 15 min, on the host's network unless
 * another is named; returns its name.
 */
export function startClientContainer(name: string, network = 'host'): string {
  execFileSync('docker', [
    'run',
    '-d',
    '--rm',
    '--name',
    name,
    '--network',
    network,
    '--entrypoint',
    'sleep',
    CLIENT_IMAGE,
    '900',
  ]);
  return name;
}

/**
 * A uclient run for one account against coturn's host listener, relaying to the echo peer
 * (turnutils_peer on 127.0.0.1:3480, allowed by the bench's loopback pins). In
 * this mode every client holds exactly two allocations (measured: `-m 10` → 20, `-m 30` →
 * 24 successes and 486s at the 24 quota); `-y` (client to client) gave 7 to 18 for the
 * same `-m`, so the counts here would not be exact with it.
 */
export function uclientLine(
  username: string,
  password: string,
  clients: number,
  messages: number,
  log: string,
  intervalMs = 1000,
  server = '127.0.0.1',
): string {
  return `turnutils_uclient -p 3478 -c -e 127.0.0.1 -r ${PEER_PORT} -l 100 -z ${intervalMs} -n ${messages} -m ${clients} -u '${username}' -w '${password}' ${server} >${log} 2>&1 &`;
}

/** The echo peer every uclient here relays to, in the client container. */
export function startPeer(container: string): void {
  execFileSync('docker', [
    'exec',
    '-d',
    container,
    'turnutils_peer',
    '-L',
    '127.0.0.1',
    '-p',
    String(PEER_PORT),
  ]);
}

/**
 * `accounts` accounts each asking for `asked` allocations (even) at once and keeping them
 * alive for ~90 s; waits until `accounts × min(asked, quota)` are held (≤ 60 s); then one
 * more account must still allocate. `refused` counts the 486/508 answers the clients got.
 */
export function measureCapacity(
  accounts: number,
  asked: number,
  quota = Number.POSITIVE_INFINITY,
): CapacityResult {
  const secret = turnSecret();
  const name = startClientContainer(`callgate-bench-uclient-${process.pid}`);
  try {
    startPeer(name);
    const before = coturnRelaySockets();
    const since = new Date().toISOString();
    const dropsBefore = udpReceiveBufferErrors();
    const started = Date.now();
    const perAccount = Math.min(asked, quota);
    const passwords = new Map<string, string>();
    const script = Array.from({ length: accounts }, () => {
      const { username, password } = credential(secret, randomUUID());
      passwords.set(username, password);
      return uclientLine(username, password, asked / 2, 90, '/tmp/u-$RANDOM$RANDOM.log');
    }).join('\n');
    const users = [...passwords.keys()];
    execFileSync('docker', ['exec', '-d', name, 'bash', '-c', `${script}\nwait`]);
    const target = accounts * perAccount;
    const turnLog = (): string => compose('logs', '--no-log-prefix', '--since', since, 'turn');
    // What coturn holds for these accounts: allocations it logged as new and has not closed
    // since. The relay-socket count (cheap, polled) also moves when an allocation of an
    // earlier step expires meanwhile (session 3's "999": one such "allocation timeout").
    const heldForAccounts = (): number => {
      const live = diagnoseAllocations(turnLog(), '').livePerUser;
      return users.reduce((sum, u) => sum + (live.get(u) ?? 0), 0);
    };
    const waitForFill = (budgetMs: number): number => {
      const until = Date.now() + budgetMs;
      let now = coturnRelaySockets() - before;
      while (now < target && Date.now() < until) {
        execFileSync('sleep', ['1']);
        now = coturnRelaySockets() - before;
        if (now < target && now >= target - 10) now = heldForAccounts();
      }
      return now;
    };
    let held = waitForFill(30_000);
    // turnutils_uclient sends each request once and then blocks in recv(): when a STUN
    // request or its answer is lost (a full receive buffer on a loaded host), that client
    // waits forever and the ones after it never ask. A browser retransmits (RFC 5389
    // §7.2.1); the bench does the same per account: what coturn granted each account is in
    // its log, and a short account gets a new uclient for the rest.
    let topUps = 0;
    for (let round = 0; round < 2 && held < target; round++) {
      const granted = diagnoseAllocations(turnLog(), '').allocatedPerUser;
      const short = users.filter((u) => (granted.get(u) ?? 0) < perAccount);
      if (short.length === 0) break;
      topUps += short.length;
      const more = short
        .map((u) =>
          uclientLine(
            u,
            passwords.get(u)!,
            Math.ceil((asked - (granted.get(u) ?? 0)) / 2),
            90,
            '/tmp/u-$RANDOM$RANDOM.log',
          ),
        )
        .join('\n');
      execFileSync('docker', ['exec', '-d', name, 'bash', '-c', `${more}\nwait`]);
      held = waitForFill(20_000);
    }
    const fillSeconds = (Date.now() - started) / 1000;
    // Let refused clients finish writing their logs before they are counted.
    execFileSync('sleep', ['2']);
    held = heldForAccounts();
    const relaySocketsAdded = coturnRelaySockets() - before;
    // The same lost-answer hang would block this check forever: bounded, three tries.
    const extra = credential(secret, randomUUID());
    const extraLine = uclientLine(extra.username, extra.password, 1, 1, '/tmp/extra.log')
      .replace(/ >\/tmp\/extra.log 2>&1 &$/, '')
      .replace(/^turnutils_uclient/, 'timeout 20 turnutils_uclient');
    let extraOut = '';
    for (let attempt = 0; attempt < 3 && !/Total lost packets/.test(extraOut); attempt++) {
      extraOut = execFileSync('docker', ['exec', name, 'sh', '-c', `${extraLine} 2>&1 || true`], {
        encoding: 'utf8',
      });
    }
    const refused = Number(
      execFileSync(
        'docker',
        ['exec', name, 'sh', '-c', "cat /tmp/u-*.log | grep -cE 'error (486|508)' || true"],
        { encoding: 'utf8' },
      ).trim() || '0',
    );
    const diagnosis = describeDiagnosis(
      diagnoseAllocations(
        turnLog(),
        execFileSync('docker', ['exec', name, 'sh', '-c', 'cat /tmp/u-*.log'], {
          encoding: 'utf8',
        }),
      ),
      users,
      perAccount,
    );
    return {
      accounts,
      perAccount,
      topUps,
      held,
      relaySocketsAdded,
      refused,
      diagnosis,
      udpReceiveBufferErrors: udpReceiveBufferErrors() - dropsBefore,
      extraAccountAllocated:
        /Total lost packets 0 /.test(extraOut) && !/error (486|508)/.test(extraOut),
      fillSeconds,
    };
  } finally {
    execFileSync('docker', ['rm', '-f', name]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = measureCapacity(
    Number(process.argv[2] ?? 100),
    Number(process.argv[3] ?? 10),
    Number(process.argv[4] ?? Number.POSITIVE_INFINITY),
  );
  console.log(JSON.stringify(result, null, 2));
}
