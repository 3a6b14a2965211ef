import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import type { TurnCredentials } from '@callgate/protocol';
import { turnCredential } from '../src/turn/turn-credential.service';
import {
  connected,
  connectSocket,
  nextEvent,
  registerUser,
  type RunningGateway,
  TEST_TURN_SECRET,
} from './support/gateway-harness';
import { integrationSuite } from './support/integration-suite';
import { tryAllocate } from './support/turn-allocate';

const RETIRED_SECRET = 'retired-turn-secret-0123456789abcdef-xyz';
const REALM = 'callgate.test';

const suite = integrationSuite();
let coturn: StartedTestContainer;
let gateway: RunningGateway;
let turnHost: string;
let turnPort: number;

beforeAll(async () => {
  // coturn accepts the current AND a retired secret, as during a rotation.
  coturn = await new GenericContainer('coturn/coturn:4.6')
    .withCommand([
      '--use-auth-secret',
      `--static-auth-secret=${TEST_TURN_SECRET}`,
      `--static-auth-secret=${RETIRED_SECRET}`,
      `--realm=${REALM}`,
      '--listening-port=3478',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--fingerprint',
      '--log-file=stdout',
    ])
    .withExposedPorts(3478)
    .withWaitStrategy(Wait.forListeningPorts())
    .start();
  turnHost = coturn.getHost();
  turnPort = coturn.getMappedPort(3478);
  gateway = await suite.gateway({
    TURN_SECRETS: `${TEST_TURN_SECRET},${RETIRED_SECRET}`,
    TURN_HOST: coturn.getIpAddress(coturn.getNetworkNames()[0]!),
    TURN_TTL_SECONDS: '600',
  });
});

afterAll(async () => {
  await coturn?.stop();
});

async function restCredentials(): Promise<{ userId: string; credentials: TurnCredentials }> {
  const user = await registerUser(gateway.baseUrl, 'relay');
  const response = await fetch(`${gateway.baseUrl}/api/turn/credentials`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  expect(response.status).toBe(200);
  return { userId: user.id, credentials: (await response.json()) as TurnCredentials };
}

describe('gateway TURN credentials against a real coturn 4.6', () => {
  it('turnutils_uclient inside the container allocates with issued credentials, not with expired or tampered ones', async () => {
    const { credentials } = await restCredentials();
    const server = credentials.iceServers[0]!;
    const coturnIp = coturn.getIpAddress(coturn.getNetworkNames()[0]!);
    expect(server.urls[0]).toBe(`turn:${coturnIp}:3478?transport=udp`);
    const result = await coturn.exec([
      'turnutils_uclient',
      '-y',
      '-n',
      '1',
      '-m',
      '1',
      '-u',
      server.username,
      '-w',
      server.credential,
      coturnIp,
    ]);
    expect(result.output).not.toMatch(/Cannot complete Allocation/);
    // Every message sent through the relay came back (the count varies with coturn's session layout).
    const totals = /start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)/.exec(result.output);
    expect(totals).not.toBeNull();
    expect(Number(totals![1])).toBeGreaterThan(0);
    expect(totals![2]).toBe(totals![1]);
    expect(result.output).toMatch(/Total lost packets 0 /);
    expect(result.exitCode).toBe(0);

    // The same tool with an expired and with a tampered credential cannot allocate.
    const [expiry, userId] = server.username.split(':');
    const expired = turnCredential(TEST_TURN_SECRET, Math.floor(Date.now() / 1000) - 60, userId!);
    const tampered = {
      username: `${Number(expiry) + 3600}:${userId}`,
      credential: server.credential,
    };
    for (const bad of [expired, tampered]) {
      const refused = await coturn.exec([
        'turnutils_uclient',
        '-y',
        '-n',
        '1',
        '-m',
        '1',
        '-u',
        bad.username,
        '-w',
        bad.credential,
        coturnIp,
      ]);
      expect(refused.output).toMatch(/Cannot complete Allocation/);
      expect(refused.exitCode).not.toBe(0);
    }
  });

  it('answers the allocation with success for issued credentials and 401 for expired or tampered ones', async () => {
    const { userId, credentials } = await restCredentials();
    const server = credentials.iceServers[0]!;
    expect(await tryAllocate(turnHost, turnPort, server.username, server.credential)).toEqual({
      ok: true,
      relayed: true,
    });

    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = turnCredential(TEST_TURN_SECRET, past, userId);
    expect(
      await tryAllocate(turnHost, turnPort, expired.username, expired.credential),
    ).toMatchObject({
      ok: false,
      code: 401,
    });

    const tamperedCredential = Buffer.from(server.credential, 'base64');
    tamperedCredential[0] = tamperedCredential[0]! ^ 0xff;
    expect(
      await tryAllocate(turnHost, turnPort, server.username, tamperedCredential.toString('base64')),
    ).toMatchObject({ ok: false, code: 401 });

    // Extending the expiry in the username without re-signing breaks the HMAC.
    const [expiry] = server.username.split(':');
    const stretched = `${Number(expiry) + 86_400}:${userId}`;
    expect(await tryAllocate(turnHost, turnPort, stretched, server.credential)).toMatchObject({
      ok: false,
      code: 401,
    });

    const unknownSecret = turnCredential(
      'not-the-coturn-secret-0123456789abcdef',
      Number(expiry),
      userId,
    );
    expect(
      await tryAllocate(turnHost, turnPort, unknownSecret.username, unknownSecret.credential),
    ).toMatchObject({
      ok: false,
      code: 401,
    });
  });

  it('keeps credentials signed with a retired secret working while coturn still lists it', async () => {
    const future = Math.floor(Date.now() / 1000) + 300;
    const old = turnCredential(RETIRED_SECRET, future, '7d444840-9dc0-41b1-9d1e-1a2b3c4d5e6f');
    expect(await tryAllocate(turnHost, turnPort, old.username, old.credential)).toEqual({
      ok: true,
      relayed: true,
    });
  });

  it('pushes working credentials on the signaling socket at connect', async () => {
    const user = await registerUser(gateway.baseUrl, 'pushed');
    const socket = connectSocket(gateway.baseUrl, user.token);
    try {
      const pushed = nextEvent(socket, 'turn:credentials');
      await connected(socket);
      const credentials = await pushed;
      expect(credentials.ttl).toBe(600);
      const server = credentials.iceServers[0]!;
      expect(server.username.endsWith(`:${user.id}`)).toBe(true);
      expect(await tryAllocate(turnHost, turnPort, server.username, server.credential)).toEqual({
        ok: true,
        relayed: true,
      });
    } finally {
      socket.disconnect();
    }
  });
});
