import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Typed gateway configuration, read once from the environment at start-up.
 * Anything missing or unsafe stops the process with one sentence naming the variable.
 */
import { REGISTRATION_MODES, type RegistrationMode } from '@callgate/protocol';

export type CookieSecureMode = 'auto' | 'always' | 'never';

export interface TurnConfig {
  /** Shared secrets, the first signs; coturn is configured with all of them. */
  secrets: string[];
  /** `turn:`/`turns:` URLs handed to browsers. */
  urls: string[];
  ttlSeconds: number;
}

export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redis: {
    /** `redis://[:password@]host:port[/db]`. */
    url: string;
    /** This process's name among the replicas: in `/api/health` and every Redis record it owns. */
    replicaId: string;
  };
  jwt: {
    secret: string;
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
  };
  /** Who may sign up; see {@link RegistrationMode}. */
  registration: RegistrationMode;
  sessions: {
    /** A refresh family ends this long after sign-in, however often it is refreshed. */
    maxLifetimeSeconds: number;
    /** A refresh family ends when it goes unused this long. */
    idleTimeoutSeconds: number;
  };
  turn: TurnConfig;
  signaling: {
    ringTimeoutMs: number;
    reconnectGraceMs: number;
    /** Token-bucket size per account (shared by its sockets on one replica). */
    rateBurst: number;
    /** Token-bucket refill per second per account. */
    ratePerSecond: number;
    /** How long before access-token expiry the server sends `auth:expiring`. */
    expiryWarningMs: number;
  };
  login: {
    /** Failed sign-ins per username (unknown browsers) or per device cookie before 429. */
    maxFailures: number;
    failureWindowSeconds: number;
    /** First progressive delay for unknown browsers; doubles with each failure. */
    delayBaseMs: number;
  };
  /** Concurrent signaling sockets one account may hold. */
  maxSocketsPerUser: number;
  trustProxy: boolean;
  cookieSecure: CookieSecureMode;
  logLevel: string;
  version: string;
}

/** Raised when the environment cannot produce a safe configuration. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const APP_CONFIG = Symbol('APP_CONFIG');

const MIN_SECRET_LENGTH = 32;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function requireSecret(env: Env, name: string): string {
  const value = read(env, name);
  if (value === undefined) {
    throw new ConfigError(
      `${name} is required: set it to a random string of at least ${MIN_SECRET_LENGTH} characters.`,
    );
  }
  if (value.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      `${name} is too weak: it must be at least ${MIN_SECRET_LENGTH} characters long.`,
    );
  }
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}".`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}.`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be "true" or "false", got "${raw}".`);
}

const HOST_PATTERN = /^[A-Za-z0-9.:[\]-]+$/;

function turnUrls(env: Env): string[] {
  const explicit = read(env, 'TURN_URLS');
  if (explicit !== undefined) {
    const urls = explicit
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== '');
    for (const url of urls) {
      if (!/^turns?:[^\s]+$/.test(url)) {
        throw new ConfigError(`TURN_URLS entries must start with turn: or turns:, got "${url}".`);
      }
    }
    if (urls.length === 0) throw new ConfigError('TURN_URLS is set but lists no URL.');
    return urls;
  }
  const host = read(env, 'TURN_HOST');
  if (host === undefined) {
    throw new ConfigError(
      'TURN_HOST is required (the hostname browsers use to reach coturn), or set TURN_URLS.',
    );
  }
  if (!HOST_PATTERN.test(host)) {
    throw new ConfigError(`TURN_HOST must be a hostname or IP address, got "${host}".`);
  }
  const port = integer(env, 'TURN_PORT', 3478, 1, 65535);
  // Browsers allocate one relay per URL on every network interface they have and keep all
  // of them for the whole call, so each URL costs allocations: TURN/TCP can be left out
  // where TURN/TLS on the web port covers the networks that block UDP.
  const urls = [`turn:${host}:${port}?transport=udp`];
  if (bool(env, 'TURN_TCP', true)) urls.push(`turn:${host}:${port}?transport=tcp`);
  if (!bool(env, 'TURN_TLS', false)) return urls;
  // TURN/TLS on the web port (nginx routes it to coturn by ALPN) reaches every network that
  // lets HTTPS out, so it replaces the dedicated TLS port: one allocation less per browser.
  const webPort = read(env, 'TURN_WEB_TLS_PORT');
  if (webPort !== undefined) {
    const webHost = read(env, 'TURN_WEB_TLS_HOST') ?? host;
    if (!HOST_PATTERN.test(webHost)) {
      throw new ConfigError(
        `TURN_WEB_TLS_HOST must be a hostname or IP address, got "${webHost}".`,
      );
    }
    urls.push(`turns:${webHost}:${integer(env, 'TURN_WEB_TLS_PORT', 443, 1, 65535)}?transport=tcp`);
  } else {
    urls.push(`turns:${host}:${integer(env, 'TURNS_PORT', 5349, 1, 65535)}?transport=tcp`);
  }
  return urls;
}

function registrationMode(env: Env): RegistrationMode {
  const raw = read(env, 'REGISTRATION') ?? 'invite';
  const mode = REGISTRATION_MODES.find((candidate) => candidate === raw);
  if (mode === undefined) {
    throw new ConfigError(
      `REGISTRATION must be one of ${REGISTRATION_MODES.join(', ')}, got "${raw}".`,
    );
  }
  return mode;
}

function sessionLifetimes(env: Env): AppConfig['sessions'] {
  if (read(env, 'REFRESH_TOKEN_TTL_SECONDS') !== undefined) {
    throw new ConfigError(
      'REFRESH_TOKEN_TTL_SECONDS is gone: set SESSION_MAX_LIFETIME_SECONDS and SESSION_IDLE_TIMEOUT_SECONDS instead.',
    );
  }
  const maxLifetimeSeconds = integer(
    env,
    'SESSION_MAX_LIFETIME_SECONDS',
    2_592_000,
    60,
    31_536_000,
  );
  const idleTimeoutSeconds = integer(env, 'SESSION_IDLE_TIMEOUT_SECONDS', 604_800, 60, 31_536_000);
  if (idleTimeoutSeconds > maxLifetimeSeconds) {
    throw new ConfigError(
      `SESSION_IDLE_TIMEOUT_SECONDS (${idleTimeoutSeconds}) must not exceed SESSION_MAX_LIFETIME_SECONDS (${maxLifetimeSeconds}).`,
    );
  }
  return { maxLifetimeSeconds, idleTimeoutSeconds };
}

/** Builds the configuration or throws a {@link ConfigError} with one actionable sentence. */
export function loadConfig(env: Env): AppConfig {
  const jwtSecret = requireSecret(env, 'JWT_SECRET');
  const rawTurnSecrets = read(env, 'TURN_SECRETS');
  if (rawTurnSecrets === undefined) {
    throw new ConfigError(
      `TURN_SECRETS is required: a comma-separated list of secrets of at least ${MIN_SECRET_LENGTH} characters, the first one signs.`,
    );
  }
  const turnSecrets = rawTurnSecrets.split(',').map((secret) => secret.trim());
  turnSecrets.forEach((secret, index) => {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(
        `TURN_SECRETS entry ${index + 1} is too weak: every secret must be at least ${MIN_SECRET_LENGTH} characters long.`,
      );
    }
  });
  const databaseUrl = read(env, 'DATABASE_URL');
  if (databaseUrl === undefined) {
    throw new ConfigError(
      'DATABASE_URL is required, e.g. postgres://callgate:password@postgres:5432/callgate.',
    );
  }
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL.');
  }
  const redisUrl = read(env, 'REDIS_URL');
  if (redisUrl === undefined) {
    throw new ConfigError(
      'REDIS_URL is required, e.g. redis://:password@redis:6379 (calls, presence and the replicas share it).',
    );
  }
  if (!/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL.');
  }
  const replicaId = read(env, 'REPLICA_ID') ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(replicaId)) {
    throw new ConfigError(
      `REPLICA_ID must be 1-64 characters of A-Z a-z 0-9 . _ -, got "${replicaId}".`,
    );
  }
  const logLevel = read(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}".`);
  }
  const cookieSecureRaw = read(env, 'COOKIE_SECURE') ?? 'auto';
  const cookieSecure: CookieSecureMode =
    cookieSecureRaw === 'auto' ? 'auto' : bool(env, 'COOKIE_SECURE', false) ? 'always' : 'never';
  const accessTokenTtlSeconds = integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 2, 86_400);

  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: read(env, 'HOST') ?? '0.0.0.0',
    databaseUrl,
    redis: { url: redisUrl, replicaId },
    jwt: {
      secret: jwtSecret,
      issuer: read(env, 'JWT_ISSUER') ?? 'callgate',
      audience: read(env, 'JWT_AUDIENCE') ?? 'callgate',
      accessTokenTtlSeconds,
    },
    registration: registrationMode(env),
    sessions: sessionLifetimes(env),
    turn: {
      secrets: turnSecrets,
      urls: turnUrls(env),
      ttlSeconds: integer(env, 'TURN_TTL_SECONDS', 3600, 60, 86_400),
    },
    signaling: {
      ringTimeoutMs: integer(env, 'RING_TIMEOUT_MS', 30_000, 100, 600_000),
      reconnectGraceMs: integer(env, 'RECONNECT_GRACE_MS', 15_000, 100, 600_000),
      rateBurst: integer(env, 'SIGNALING_RATE_BURST', 60, 1, 10_000),
      ratePerSecond: integer(env, 'SIGNALING_RATE_PER_SECOND', 20, 1, 10_000),
      expiryWarningMs: Math.min(60_000, Math.floor((accessTokenTtlSeconds * 1000) / 2)),
    },
    login: {
      maxFailures: integer(env, 'LOGIN_MAX_FAILURES', 10, 1, 1000),
      failureWindowSeconds: integer(env, 'LOGIN_FAILURE_WINDOW_SECONDS', 900, 1, 86_400),
      delayBaseMs: integer(env, 'LOGIN_DELAY_BASE_MS', 250, 0, 10_000),
    },
    maxSocketsPerUser: integer(env, 'MAX_SOCKETS_PER_USER', 10, 1, 1000),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    cookieSecure,
    logLevel,
    version: read(env, 'CALLGATE_VERSION') ?? '0.1.0',
  };
}
