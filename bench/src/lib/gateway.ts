import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthSession, TurnCredentials } from '@callgate/protocol';
import pg from 'pg';
import type { BenchUser } from './clients.ts';
import { mintAccessToken } from './tokens.ts';
import { startPostgres } from './postgres.ts';
import { startRedis, type Redis } from './redis.ts';
import { onCleanup } from './cleanup.ts';
import { startProcess, type StartedProcess } from './process.ts';
import type { BenchmarkContext } from './result.ts';
import { freePort, waitForHttp, type ServerOptions, type SignalingServer } from './servers.ts';

export interface GatewayServer extends SignalingServer {
  jwtSecret: string;
  turnSecret: string;
  /** TURN credentials as the gateway issues them to `user`. */
  turnCredentials: (user: BenchUser) => Promise<TurnCredentials>;
  /** The Redis the replicas share (its container, for CPU readings). */
  redis: Redis;
}

export interface GatewayOptions extends ServerOptions {
  /** Host name the gateway puts into TURN URLs. */
  turnHost?: string;
  /** Gateway processes sharing the one PostgreSQL and Redis (default 1). */
  replicas?: number;
  env?: Record<string, string>;
}

const PASSWORD = 'bench-password-1234';
/** Long enough that no socket is cut at token expiry during a run. */
const TOKEN_TTL_SECONDS = 7200;

/** Path of the built gateway; throws a clear error when it has not been built. */
export function gatewayEntry(repoRoot: string): string {
  const entry = join(repoRoot, 'gateway/dist/main.js');
  if (!existsSync(entry)) {
    throw new Error(
      'gateway/dist/main.js is missing: build it with `npx nx run gateway:build` (npm run bench does).',
    );
  }
  return entry;
}

/** One gateway process of a (possibly replicated) bench gateway. */
interface Replica {
  url: string;
  process: StartedProcess;
  logFile: string;
}

/**
 * Starts the real gateway (`node gateway/dist/main.js`) on its own PostgreSQL 17 and
 * Redis 8 containers with fresh random secrets, as `options.replicas` processes (default
 * one) sharing them, as `--scale gateway=N` runs it; users are registered through the
 * REST API of the first replica.
 */
export async function startGatewayServer(
  context: BenchmarkContext,
  options: GatewayOptions,
): Promise<GatewayServer> {
  const entry = gatewayEntry(context.repoRoot);
  const [db, redis] = await Promise.all([startPostgres(), startRedis()]);
  const jwtSecret = randomBytes(32).toString('base64url');
  const turnSecret = randomBytes(32).toString('base64url');
  const logDir = mkdtempSync(join(tmpdir(), 'callgate-bench-gateway-'));
  onCleanup('gateway log directory', () => rmSync(logDir, { recursive: true, force: true }));
  const started: Replica[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.map((r) => r.process.stop()));
    await Promise.all([db.stop(), redis.stop()]);
  };
  const count = options.replicas ?? 1;
  // One after the other: the first one migrates the fresh database.
  for (let i = 0; i < count; i++) {
    const port = i === 0 && options.port !== undefined ? options.port : await freePort();
    const logFile = join(logDir, `gateway-${i + 1}.log`);
    const proc = startProcess(process.execPath, [...(options.nodeArgs ?? []), entry], {
      cpus: options.cpus,
      stdoutFile: logFile,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        REPLICA_ID: `bench-${i + 1}`,
        JWT_SECRET: jwtSecret,
        TURN_SECRETS: turnSecret,
        TURN_HOST: options.turnHost ?? '127.0.0.1',
        ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
        // Load generators register thousands of users; invites are not what is measured.
        REGISTRATION: 'open',
        LOG_LEVEL: process.env['BENCH_GATEWAY_LOG_LEVEL'] ?? 'info',
        ...options.env,
      },
    });
    const replica = { url: `http://127.0.0.1:${port}`, process: proc, logFile };
    started.push(replica);
    try {
      await Promise.race([
        waitForHttp(`${replica.url}/api/health`, 90_000),
        proc.exited.then((code) => {
          throw new Error(`gateway exited with ${code}`);
        }),
      ]);
    } catch (error) {
      await stopAll();
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-3000) : '';
      throw new Error(
        `gateway replica ${i + 1} did not become healthy: ${proc.output().slice(-2000)}\n${log}`,
        { cause: error },
      );
    }
  }
  const url = started[0]!.url;
  let counter = 0;
  const runId = randomBytes(3).toString('hex');

  const register = async (): Promise<BenchUser> => {
    const username = `b${runId}-${++counter}`;
    for (let attempt = 0; attempt < 20; attempt++) {
      const res = await fetch(`${url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD }),
      });
      if (res.status === 429) {
        const wait = Number(res.headers.get('retry-after') ?? '1');
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, Math.min(wait, 5) * 1000));
        continue;
      }
      if (res.status !== 201) {
        throw new Error(`register ${username}: HTTP ${res.status} ${await res.text()}`);
      }
      const session = (await res.json()) as AuthSession;
      return { id: session.user.id, token: session.accessToken };
    }
    throw new Error(`register ${username}: still rate limited after 20 attempts`);
  };

  /**
   * The first accounts sign up through the REST API (argon2id and all); the rest are
   * inserted in one statement with the first account's password hash, and get tokens
   * signed like the gateway's own. The handshake still verifies every token and loads
   * every user from PostgreSQL, as for a real sign-in.
   */
  const users = async (count: number): Promise<BenchUser[]> => {
    const viaRest = Math.min(count, 4);
    const out: BenchUser[] = [];
    for (let i = 0; i < viaRest; i++) out.push(await register());
    if (count === viaRest) return out;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const batch = `${runId}${++counter}`;
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO users (username, display_name, password_hash)
         SELECT 'x' || $1 || '-' || g, 'Bench user ' || g, u.password_hash
         FROM generate_series(1, $2::int) AS g, (SELECT password_hash FROM users WHERE id = $3) AS u
         RETURNING id`,
        [batch, count - viaRest, out[0]!.id],
      );
      for (const { id } of inserted.rows) {
        out.push({ id, token: mintAccessToken(jwtSecret, id, TOKEN_TTL_SECONDS) });
      }
    } finally {
      await client.end();
    }
    return out;
  };

  const turnCredentials = async (user: BenchUser): Promise<TurnCredentials> => {
    const res = await fetch(`${url}/api/turn/credentials`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    if (!res.ok)
      throw new Error(`GET /api/turn/credentials: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as TurnCredentials;
  };

  return {
    name: count === 1 ? 'gateway' : `gateway ×${count}`,
    url,
    process: started[0]!.process,
    replicas: started.map(({ url: replicaUrl, process: replicaProcess }) => ({
      url: replicaUrl,
      process: replicaProcess,
    })),
    users,
    jwtSecret,
    turnSecret,
    turnCredentials,
    redis,
    stop: stopAll,
  };
}
