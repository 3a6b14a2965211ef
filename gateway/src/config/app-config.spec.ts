import { ConfigError, loadConfig } from './app-config';

const valid = {
  DATABASE_URL: 'postgres://u:p@db:5432/callgate',
  REDIS_URL: 'redis://:pw@redis:6379',
  JWT_SECRET: 'j'.repeat(32),
  TURN_SECRETS: 't'.repeat(32),
  TURN_HOST: 'turn.example.org',
};

function failure(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected loadConfig to refuse this environment');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(valid);
    expect(config.port).toBe(3000);
    expect(config.jwt).toMatchObject({
      issuer: 'callgate',
      audience: 'callgate',
      accessTokenTtlSeconds: 900,
    });
    expect(config.registration).toBe('invite');
    expect(config.sessions).toEqual({ maxLifetimeSeconds: 2_592_000, idleTimeoutSeconds: 604_800 });
    expect(config.maxSocketsPerUser).toBe(10);
    expect(config.login).toEqual({ maxFailures: 10, failureWindowSeconds: 900, delayBaseMs: 250 });
    expect(config.turn.ttlSeconds).toBe(3600);
    expect(config.turn.urls).toEqual([
      'turn:turn.example.org:3478?transport=udp',
      'turn:turn.example.org:3478?transport=tcp',
    ]);
    expect(config.signaling.ringTimeoutMs).toBe(30_000);
    expect(config.signaling.reconnectGraceMs).toBe(15_000);
    expect(config.cookieSecure).toBe('auto');
    expect(config.trustProxy).toBe(false);
  });

  it('names the registration modes and refuses anything else', () => {
    expect(loadConfig({ ...valid, REGISTRATION: 'open' }).registration).toBe('open');
    expect(loadConfig({ ...valid, REGISTRATION: 'closed' }).registration).toBe('closed');
    expect(failure({ ...valid, REGISTRATION: 'public' })).toBe(
      'REGISTRATION must be one of open, invite, closed, got "public".',
    );
  });

  it('refuses an idle timeout beyond the absolute session lifetime, and the old sliding TTL', () => {
    expect(
      failure({
        ...valid,
        SESSION_MAX_LIFETIME_SECONDS: '3600',
        SESSION_IDLE_TIMEOUT_SECONDS: '7200',
      }),
    ).toMatch(/SESSION_IDLE_TIMEOUT_SECONDS \(7200\) must not exceed/);
    expect(failure({ ...valid, REFRESH_TOKEN_TTL_SECONDS: '60' })).toMatch(
      /REFRESH_TOKEN_TTL_SECONDS is gone/,
    );
  });

  it('refuses to start without a JWT secret, or with a weak one', () => {
    expect(failure({ ...valid, JWT_SECRET: undefined })).toMatch(/^JWT_SECRET is required/);
    expect(failure({ ...valid, JWT_SECRET: '   ' })).toMatch(/^JWT_SECRET is required/);
    expect(failure({ ...valid, JWT_SECRET: 'x'.repeat(31) })).toMatch(/^JWT_SECRET is too weak/);
  });

  it('refuses missing or weak TURN secrets, checking every entry', () => {
    expect(failure({ ...valid, TURN_SECRETS: undefined })).toMatch(/^TURN_SECRETS is required/);
    expect(failure({ ...valid, TURN_SECRETS: `${'a'.repeat(32)},short` })).toMatch(
      /TURN_SECRETS entry 2 is too weak/,
    );
  });

  it('refuses to start without a redis:// REDIS_URL, and checks REPLICA_ID', () => {
    expect(failure({ ...valid, REDIS_URL: undefined })).toMatch(/^REDIS_URL is required/);
    expect(failure({ ...valid, REDIS_URL: 'http://redis:6379' })).toMatch(/redis:\/\//);
    expect(failure({ ...valid, REPLICA_ID: 'a b' })).toMatch(/^REPLICA_ID must be/);
    expect(loadConfig({ ...valid, REPLICA_ID: 'gw-2' }).redis).toEqual({
      url: 'redis://:pw@redis:6379',
      replicaId: 'gw-2',
    });
    // Without REPLICA_ID every process gets its own name (host name + random suffix).
    expect(loadConfig(valid).redis.replicaId).not.toBe(loadConfig(valid).redis.replicaId);
  });

  it('refuses to start without DATABASE_URL', () => {
    expect(failure({ ...valid, DATABASE_URL: undefined })).toMatch(/^DATABASE_URL is required/);
    expect(failure({ ...valid, DATABASE_URL: 'mysql://x' })).toMatch(/postgres/);
  });

  it('signs with the first of several TURN secrets and adds turns: when TLS is on', () => {
    const config = loadConfig({
      ...valid,
      TURN_SECRETS: `${'a'.repeat(32)}, ${'b'.repeat(40)}`,
      TURN_TLS: 'true',
      TURN_PORT: '3479',
      TURNS_PORT: '5350',
    });
    expect(config.turn.secrets).toEqual(['a'.repeat(32), 'b'.repeat(40)]);
    expect(config.turn.urls).toEqual([
      'turn:turn.example.org:3479?transport=udp',
      'turn:turn.example.org:3479?transport=tcp',
      'turns:turn.example.org:5350?transport=tcp',
    ]);
  });

  it('hands out TURN/TLS on the web port instead of the dedicated TLS port when configured', () => {
    const config = loadConfig({
      ...valid,
      TURN_TLS: 'true',
      TURNS_PORT: '5349',
      TURN_WEB_TLS_PORT: '8443',
    });
    expect(config.turn.urls).toEqual([
      'turn:turn.example.org:3478?transport=udp',
      'turn:turn.example.org:3478?transport=tcp',
      'turns:turn.example.org:8443?transport=tcp',
    ]);
    expect(
      loadConfig({ ...valid, TURN_TLS: 'true', TURN_WEB_TLS_PORT: '443', TURN_WEB_TLS_HOST: 'web' })
        .turn.urls[2],
    ).toBe('turns:web:443?transport=tcp');
    expect(failure({ ...valid, TURN_TLS: 'true', TURN_WEB_TLS_PORT: '0' })).toMatch(
      /^TURN_WEB_TLS_PORT must be between 1 and 65535/,
    );
    expect(
      failure({ ...valid, TURN_TLS: 'true', TURN_WEB_TLS_PORT: '443', TURN_WEB_TLS_HOST: 'a b' }),
    ).toMatch(/^TURN_WEB_TLS_HOST must be a hostname/);
  });

  it('leaves TURN/TCP out when TURN_TCP is false (one allocation less per interface)', () => {
    expect(
      loadConfig({ ...valid, TURN_TCP: 'false', TURN_TLS: 'true', TURN_WEB_TLS_PORT: '443' }).turn
        .urls,
    ).toEqual([
      'turn:turn.example.org:3478?transport=udp',
      'turns:turn.example.org:443?transport=tcp',
    ]);
    expect(failure({ ...valid, TURN_TCP: 'sometimes' })).toMatch(
      /^TURN_TCP must be "true" or "false"/,
    );
  });

  it('takes TURN_URLS verbatim and rejects non-TURN schemes', () => {
    expect(
      loadConfig({ ...valid, TURN_HOST: undefined, TURN_URLS: 'turn:a:1,turns:b:2' }).turn.urls,
    ).toEqual(['turn:a:1', 'turns:b:2']);
    expect(failure({ ...valid, TURN_URLS: 'stun:stun.example.org:3478' })).toMatch(/TURN_URLS/);
  });

  it('rejects malformed numbers and booleans with the variable name', () => {
    expect(failure({ ...valid, RING_TIMEOUT_MS: 'soon' })).toMatch(
      /^RING_TIMEOUT_MS must be a whole number/,
    );
    expect(failure({ ...valid, PORT: '70000' })).toMatch(/^PORT must be between/);
    expect(failure({ ...valid, TRUST_PROXY: 'yes' })).toMatch(
      /^TRUST_PROXY must be "true" or "false"/,
    );
    expect(failure({ ...valid, LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL/);
  });

  it('maps COOKIE_SECURE auto/true/false', () => {
    expect(loadConfig({ ...valid, COOKIE_SECURE: 'true' }).cookieSecure).toBe('always');
    expect(loadConfig({ ...valid, COOKIE_SECURE: 'false' }).cookieSecure).toBe('never');
  });
});
