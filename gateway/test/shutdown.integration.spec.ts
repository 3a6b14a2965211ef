import { createGateway } from '../src/bootstrap';
import { loadConfig } from '../src/config/app-config';
import { PinoLoggerService } from '../src/logging/pino-logger.service';
import {
  type ClientSocket,
  connected,
  connectSocket,
  delay,
  registerUser,
  TEST_JWT_SECRET,
  TEST_TURN_SECRET,
} from './support/gateway-harness';
import { integrationSuite } from './support/integration-suite';

/**
 * A gateway that is closed (SIGTERM → app.close()) must let go of every Redis connection
 * it opened: the state client, the session-revocation subscriber and the socket.io
 * adapter's publisher, stream reader and pub/sub client. One left open keeps the process
 * alive until Docker's SIGKILL, and a one-shot command (callgate-create-admin) never exits.
 */
const REPLICA = 'shutdown-probe';

const suite = integrationSuite();

/** Names of the connections Redis sees from this replica (node-redis sends CLIENT SETNAME). */
async function connectionsOf(replica: string): Promise<string[]> {
  const list = await suite.redis.client.sendCommand<string>(['CLIENT', 'LIST']);
  return list
    .split('\n')
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
    .filter((name) => name.startsWith(`callgate-${replica}`));
}

/** Waits up to `ms` for `probe` to return an empty list; returns what is left. */
async function settled(probe: () => Promise<string[]>, ms: number): Promise<string[]> {
  const until = Date.now() + ms;
  let left = await probe();
  while (left.length > 0 && Date.now() < until) {
    await delay(50);
    left = await probe();
  }
  return left;
}

describe('gateway shutdown', () => {
  it('closes every Redis connection it opened, also with a socket connected', async () => {
    const gateway = await suite.gateway({ REPLICA_ID: REPLICA });
    let socket: ClientSocket | undefined;
    try {
      const user = await registerUser(gateway.baseUrl, 'shutdown');
      socket = connectSocket(gateway.baseUrl, user.token);
      await connected(socket);
      // While running: the state client, the revocation subscriber, and the adapter's
      // publisher, stream reader and pub/sub client (the test proves the probe sees them).
      const running = await settled(
        async () => ((await connectionsOf(REPLICA)).length >= 5 ? [] : ['waiting']),
        5_000,
      );
      expect(running).toEqual([]);
    } finally {
      socket?.disconnect();
      await gateway.close();
    }
    // The adapter's stream reader may sit in a blocking XREAD (up to its block time) when
    // the app closes; it must still be gone well before Docker's 10 s SIGKILL.
    expect(await settled(() => connectionsOf(REPLICA), 1_000)).toEqual([]);
  });

  it('opens no connection it leaves behind when built but never started (create-admin)', async () => {
    const replica = `${REPLICA}-cli`;
    const config = loadConfig({
      DATABASE_URL: suite.postgres.getConnectionUri(),
      REDIS_URL: suite.redis.url,
      REPLICA_ID: replica,
      JWT_SECRET: TEST_JWT_SECRET,
      TURN_SECRETS: TEST_TURN_SECRET,
      TURN_HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    const app = await createGateway(config, new PinoLoggerService(config.logLevel));
    await delay(300); // time for any eagerly opened connection to register
    await app.close();
    expect(await settled(() => connectionsOf(replica), 1_000)).toEqual([]);
  });
});
