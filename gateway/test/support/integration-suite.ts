import type { StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import {
  type ClientSocket,
  connected,
  connectSocket,
  type RunningGateway,
  startGateway,
  startPostgres,
} from './gateway-harness';
import { startRedis, type TestRedis } from './redis-container';

/** Container start-up on a busy machine can take longer than one test's timeout. */
export const STARTUP_TIMEOUT_MS = 180_000;

/**
 * One integration test file's PostgreSQL 17 and Redis 8, and everything the file starts on
 * them. Each suite used to repeat the same start/stop hooks and socket bookkeeping; a test
 * that forgot a socket or a gateway kept Jest alive or leaked into the next test.
 */
export interface IntegrationSuite {
  readonly postgres: StartedPostgreSqlContainer;
  readonly redis: TestRedis;
  /**
   * A gateway on the suite's Redis and database (or `databaseUrl`, another database of the
   * same server); closed after the file unless the test closed it (closing twice is fine).
   */
  gateway(env?: Record<string, string>, databaseUrl?: string): Promise<RunningGateway>;
  /** A socket.io client the way the web app connects, connected; closed after the test. */
  open(baseUrl: string, token: string): Promise<ClientSocket>;
  /** Closes `socket` after the test (for sockets a test connects itself, or expects refused). */
  track(socket: ClientSocket): ClientSocket;
}

/**
 * Registers the file's hooks: containers before its first test (in parallel), sockets closed
 * after each test, gateways and then containers after the last. Call it once at the top of a
 * spec file, before any `beforeAll` of the file that uses it.
 */
export function integrationSuite(): IntegrationSuite {
  let postgres: StartedPostgreSqlContainer | undefined;
  let redis: TestRedis | undefined;
  const gateways: RunningGateway[] = [];
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  }, STARTUP_TIMEOUT_MS);

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await Promise.all(gateways.splice(0).map((gateway) => gateway.close().catch(() => undefined)));
    await Promise.all([postgres?.stop(), redis?.stop()]);
  });

  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`${name} is used before the suite's beforeAll ran`);
    return value;
  };

  return {
    get postgres() {
      return started(postgres, 'PostgreSQL');
    },
    get redis() {
      return started(redis, 'Redis');
    },
    async gateway(env = {}, databaseUrl) {
      const running = await startGateway(
        databaseUrl ?? started(postgres, 'PostgreSQL').getConnectionUri(),
        { REDIS_URL: started(redis, 'Redis').url, ...env },
      );
      let closing: Promise<void> | undefined;
      const gateway = { ...running, close: () => (closing ??= running.close()) };
      gateways.push(gateway);
      return gateway;
    },
    async open(baseUrl, token) {
      const socket = connectSocket(baseUrl, token);
      sockets.push(socket);
      await connected(socket);
      return socket;
    },
    track(socket) {
      sockets.push(socket);
      return socket;
    },
  };
}
