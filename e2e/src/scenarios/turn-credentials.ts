import {
  addressOn,
  type CallgateStack,
  connectCall,
  containerLogs,
  hangUp,
  inMode,
  loggedAllocations,
  type Person,
  turnCredential,
} from '@callgate/e2e-support';
import type { StartedTestContainer } from 'testcontainers';

/**
 * Runs `turnutils_uclient` over TCP inside a coturn container, against that container's
 * own listener at `server`; `extra` adds e.g. `-y` (relay to itself) or `-e <peer>`.
 */
async function uclient(
  container: StartedTestContainer,
  server: string,
  credential: { username: string; credential: string },
  extra: string[],
): Promise<string> {
  const result = await container.exec(
    [
      'turnutils_uclient',
      '-t',
      ['-n', '1'],
      ['-m', '1'],
      ['-l', '64'],
      ['-u', credential.username],
      ['-w', credential.credential],
      ...extra,
      server,
    ].flat(),
  );
  return result.output;
}

/**
 * Scenario 5: a TURN credential past expiry is refused (401) and the client fetches fresh
 * ones; under the production config coturn refuses loopback and private peers (403).
 */
export function describeTurnCredentials(
  stack: () => CallgateStack,
  people: () => { alice: Person; bob: Person },
): void {
  it('5a. coturn refuses a credential past its expiry with 401, and accepts a fresh one', async () => {
    const { turn, turnSecret } = stack();
    const server = addressOn(turn, 'default');
    const label = `e2e-${Date.now().toString(36)}`;
    const now = Math.floor(Date.now() / 1000);

    const expired = turnCredential(turnSecret, label, now - 60);
    const refused = await uclient(turn, server, expired, ['-y']);
    expect(refused).toMatch(/Cannot complete Allocation/);
    const answer = containerLogs(turn)
      .split('\n')
      .find((line) => line.includes(`user <${expired.username}>`) && /error 401/.test(line));
    console.log(`[scenario-5a] expired credential: ${answer?.trim() ?? '(no 401 logged)'}`);
    expect(answer).toMatch(/error 401: Unauthorized/);

    const fresh = turnCredential(turnSecret, label, now + 600);
    const relayed = await uclient(turn, server, fresh, ['-y']);
    expect(relayed).not.toMatch(/Cannot complete Allocation/);
    expect(relayed).toMatch(/tot_recv_msgs=[1-9]/);
  });

  it('5b. after the first credentials expired, a relay-only call still connects with fresh ones', async () => {
    const { alice, bob } = people();
    const all = loggedAllocations(stack().turn);
    // The browsers' allocations (user ids are UUIDs), not the test's own uclient runs.
    const earlier = all.filter((allocation) => isUserId(allocation.userId));
    expect(earlier.length).toBeGreaterThan(0);
    const latestExpiry = Math.max(...earlier.map((allocation) => allocation.expiresAt));
    const waitMs = latestExpiry * 1000 + 1_000 - Date.now();
    if (waitMs > 0) {
      console.log(
        `[scenario-5b] waiting ${Math.ceil(waitMs / 1000)} s for the earlier credentials to expire`,
      );
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    await inMode('relay-only', [alice, bob], async () => {
      const startedAt = Math.floor(Date.now() / 1000);
      const call = await connectCall(alice, bob, 'scenario-5b-fresh-credentials').catch(
        (error: unknown) => {
          const authLines = containerLogs(stack().turn)
            .split('\n')
            .filter((line) => /user <\d+:[0-9a-f-]{36}>/.test(line))
            .slice(-30);
          console.log(
            `[scenario-5b] coturn, latest lines for the browsers:\n${authLines.join('\n')}`,
          );
          throw error;
        },
      );
      expect(call.caller.local?.candidateType).toBe('relay');
      expect(call.callee.local?.candidateType).toBe('relay');
      const fresh = loggedAllocations(stack().turn)
        .slice(all.length)
        .filter((allocation) => isUserId(allocation.userId));
      console.log(
        `[scenario-5b] earlier credentials expired at ${latestExpiry}; new allocations expire at ` +
          [...new Set(fresh.map((allocation) => allocation.expiresAt))].join(', '),
      );
      expect(fresh.length).toBeGreaterThanOrEqual(2);
      for (const allocation of fresh) expect(allocation.expiresAt).toBeGreaterThan(startedAt);
      await hangUp(alice, bob);
    });
  });

  it('5c. under the production config coturn refuses to relay to loopback or private peers (403)', async () => {
    const { environment, turnProduction, turnSecret } = stack();
    const credential = turnCredential(turnSecret, 'e2e-peer', Math.floor(Date.now() / 1000) + 600);
    // The production default allows only coturn's own addresses ("self", relay to relay).
    // The private peer is the test's own gateway container: even a wrongly permitted
    // relay would send nothing beyond the containers this suite started.
    const privatePeer = addressOn(environment.getContainer('gateway-1'), 'default');
    expect(privatePeer).toMatch(/^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.)/);
    for (const peer of ['127.0.0.1', privatePeer]) {
      const output = await uclient(turnProduction, '127.0.0.1', credential, [
        '-e',
        peer,
        '-r',
        '3479',
      ]);
      const refusal = firstLine(output, /error 403/);
      console.log(`[scenario-5c] production coturn, peer ${peer}: ${refusal}`);
      expect(refusal).toMatch(/403 \(Forbidden IP\)/);
      expect(output).not.toMatch(/tot_recv_msgs=[1-9]/);
    }
  });

  it('5d. the relay holds only the TURN secret and cannot reach the database', async () => {
    const { environment, turn } = stack();
    const database = addressOn(environment.getContainer('db-1'), 'backend');
    const probe = await turn.exec([
      'bash',
      '-c',
      [
        'for f in /run/callgate-secrets/jwt_secret /run/callgate-secrets/postgres_password; do',
        '  if [ -e "$f" ]; then echo "visible $f"; fi',
        'done',
        'test -r /run/callgate-turn-secrets/turn_secrets && echo "turn secret readable"',
        'getent hosts db >/dev/null && echo "db resolves"',
        `timeout 3 bash -c '</dev/tcp/${database}/5432' 2>/dev/null && echo "db reachable"`,
        'true',
      ].join('\n'),
    ]);
    console.log(`[scenario-5d] relay's view: ${probe.output.trim().replace(/\n/g, '; ')}`);
    expect(probe.output.trim()).toBe('turn secret readable');
  });
}

function isUserId(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function firstLine(output: string, pattern: RegExp): string {
  return (
    output
      .split('\n')
      .find((line) => pattern.test(line))
      ?.trim() ?? '(no matching line)'
  );
}
