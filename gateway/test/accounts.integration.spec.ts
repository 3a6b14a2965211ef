import { Client } from 'pg';
import type {
  ApiErrorResponse,
  AuthSession,
  CallHistory,
  ContactList,
  CurrentUser,
  HealthStatus,
} from '@callgate/protocol';
import { registerUser, type RunningGateway } from './support/gateway-harness';
import { integrationSuite } from './support/integration-suite';

const suite = integrationSuite();
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await suite.gateway({ LOGIN_MAX_FAILURES: '3', LOGIN_FAILURE_WINDOW_SECONDS: '60' });
});

function post(
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${gateway.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

function get(path: string, token?: string): Promise<Response> {
  return fetch(`${gateway.baseUrl}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

function cookieOf(response: Response): string {
  const header = response.headers.get('set-cookie');
  if (header === null) throw new Error('no Set-Cookie header');
  return header.split(';')[0]!;
}

async function errorOf(response: Response): Promise<ApiErrorResponse['error']> {
  return ((await response.json()) as ApiErrorResponse).error;
}

describe('accounts on PostgreSQL 17', () => {
  it('records the applied migration and re-running migrations changes nothing', async () => {
    const client = new Client({ connectionString: suite.postgres.getConnectionUri() });
    await client.connect();
    try {
      const rows = await client.query(
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
      expect(rows.rows).toEqual([
        { version: 1, name: 'accounts_sessions_calls' },
        { version: 2, name: 'admins_invites_session_lifetimes' },
      ]);
    } finally {
      await client.end();
    }
    const second = await suite.gateway();
    await second.close();
  });

  it('registers with a lower-cased username, an argon2id hash and a strict refresh cookie', async () => {
    const response = await post('/api/auth/register', {
      username: 'Grace.Hopper',
      password: 'correct horse battery',
      displayName: 'Grace Hopper',
    });
    expect(response.status).toBe(201);
    const session = (await response.json()) as AuthSession;
    expect(session.user).toMatchObject({ username: 'grace.hopper', displayName: 'Grace Hopper' });
    expect(session.expiresIn).toBe(900);
    const setCookie = response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^callgate_refresh=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/Path=\/api\/auth/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/);

    const client = new Client({ connectionString: suite.postgres.getConnectionUri() });
    await client.connect();
    try {
      const user = await client.query<{ password_hash: string }>(
        'SELECT password_hash FROM users WHERE id = $1',
        [session.user.id],
      );
      expect(user.rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
      const tokens = await client.query<{ token_hash: Buffer }>(
        'SELECT token_hash FROM refresh_tokens WHERE user_id = $1',
        [session.user.id],
      );
      const raw = cookieOf(response).split('=')[1]!;
      expect(tokens.rows).toHaveLength(1);
      expect(tokens.rows[0]?.token_hash.toString('base64url')).not.toBe(raw);
    } finally {
      await client.end();
    }

    const me = await get('/api/users/me', session.accessToken);
    expect(me.status).toBe(200);
    expect((await me.json()) as CurrentUser).toEqual(session.user);
  });

  it('marks the cookie Secure when the request came over TLS through the proxy', async () => {
    const behindProxy = await suite.gateway({ TRUST_PROXY: 'true' });
    try {
      const response = await fetch(`${behindProxy.baseUrl}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify({ username: 'tls.user', password: 'correct horse battery' }),
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await behindProxy.close();
    }
  });

  it('refuses bad registrations with typed errors and stores nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ username: 'ab', password: 'correct horse battery' }, /username must be 3-32/],
      [{ username: 'has space', password: 'correct horse battery' }, /username/],
      [{ username: 'shortpass', password: 'short' }, /password must be at least 10/],
      [
        { username: 'extra', password: 'correct horse battery', admin: true },
        /admin should not exist/,
      ],
      [
        { username: 'blank', password: 'correct horse battery', displayName: '   ' },
        /displayName must not be blank/,
      ],
    ];
    for (const [body, message] of cases) {
      const response = await post('/api/auth/register', body);
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('invalid_payload');
      expect(error.message).toMatch(message);
    }
    const duplicate = await post('/api/auth/register', {
      username: 'GRACE.hopper',
      password: 'correct horse battery',
    });
    expect(duplicate.status).toBe(409);
    expect((await errorOf(duplicate)).code).toBe('conflict');
    const malformed = await fetch(`${gateway.baseUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).code).toBe('invalid_payload');

    const client = new Client({ connectionString: suite.postgres.getConnectionUri() });
    await client.connect();
    try {
      const stored = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM users WHERE username IN ('ab', 'shortpass', 'extra', 'blank')`,
      );
      expect(stored.rows[0]?.n).toBe(0);
      const graces = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM users WHERE lower(username) = 'grace.hopper'`,
      );
      expect(graces.rows[0]?.n).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('logs in; unknown user and wrong password get the same 401; repeated failures get 429 + Retry-After', async () => {
    const user = await registerUser(gateway.baseUrl, 'login');
    const username = user.session.user.username;
    const ok = await post('/api/auth/login', {
      username: username.toUpperCase(),
      password: 'correct horse battery',
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as AuthSession).user.id).toBe(user.id);

    const wrongPassword = await post('/api/auth/login', {
      username,
      password: 'wrong horse battery',
    });
    const unknownUser = await post('/api/auth/login', {
      username: 'nobody.here',
      password: 'wrong horse battery',
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(await errorOf(wrongPassword)).toEqual(await errorOf(unknownUser));

    await post('/api/auth/login', { username, password: 'wrong horse battery' });
    await post('/api/auth/login', { username, password: 'wrong horse battery' });
    const throttled = await post('/api/auth/login', {
      username,
      password: 'correct horse battery',
    });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(throttled)).code).toBe('rate_limited');
  });

  it('rotates the refresh token on every refresh; reusing a rotated one revokes the family', async () => {
    const user = await registerUser(gateway.baseUrl, 'rotate');
    const first = await post('/api/auth/refresh', undefined, { cookie: user.cookie });
    expect(first.status).toBe(200);
    const firstSession = (await first.json()) as AuthSession;
    expect(firstSession.user.id).toBe(user.id);
    const second = cookieOf(first);
    expect(second).not.toBe(user.cookie);

    const third = await post('/api/auth/refresh', undefined, { cookie: second });
    expect(third.status).toBe(200);
    const latest = cookieOf(third);

    // The first cookie was rotated away: presenting it again is theft, the family dies.
    const reuse = await post('/api/auth/refresh', undefined, { cookie: user.cookie });
    expect(reuse.status).toBe(401);
    expect(reuse.headers.get('set-cookie')).toMatch(/callgate_refresh=;/);
    const afterReuse = await post('/api/auth/refresh', undefined, { cookie: latest });
    expect(afterReuse.status).toBe(401);
    expect((await errorOf(afterReuse)).code).toBe('unauthorized');

    // A separate login is a separate family and still works.
    const login = await post('/api/auth/login', {
      username: user.session.user.username,
      password: 'correct horse battery',
    });
    expect((await post('/api/auth/refresh', undefined, { cookie: cookieOf(login) })).status).toBe(
      200,
    );
  });

  it('logout revokes the session family and clears the cookie', async () => {
    const user = await registerUser(gateway.baseUrl, 'logout');
    const logout = await post('/api/auth/logout', undefined, { cookie: user.cookie });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/callgate_refresh=;.*Path=\/api\/auth/);
    expect((await post('/api/auth/refresh', undefined, { cookie: user.cookie })).status).toBe(401);
    expect((await post('/api/auth/refresh')).status).toBe(401);
  });

  it('protects the API with the access token', async () => {
    const missing = await get('/api/users/me');
    expect(missing.status).toBe(401);
    expect((await errorOf(missing)).code).toBe('unauthorized');
    expect((await get('/api/users/me', 'garbage')).status).toBe(401);
    expect((await get('/api/turn/credentials')).status).toBe(401);
    expect((await get('/api/calls/recent')).status).toBe(401);
  });

  it('lists people to call with their online state, never yourself', async () => {
    const me = await registerUser(gateway.baseUrl, 'finder');
    const other = await registerUser(gateway.baseUrl, 'findme');
    const all = (await (await get('/api/users?query=findme', me.token)).json()) as ContactList;
    expect(all.users).toEqual([
      {
        id: other.id,
        username: other.session.user.username,
        displayName: other.session.user.displayName,
        online: false,
      },
    ]);
    const self = (await (
      await get(`/api/users?query=${me.session.user.username}`, me.token)
    ).json()) as ContactList;
    expect(self.users).toEqual([]);
    const wildcard = (await (await get('/api/users?query=%25', me.token)).json()) as ContactList;
    expect(wildcard.users).toEqual([]);
    const tooLong = await get(`/api/users?query=${'x'.repeat(65)}`, me.token);
    expect(tooLong.status).toBe(400);
  });

  it('issues TURN credentials in the shared-secret scheme', async () => {
    const user = await registerUser(gateway.baseUrl, 'turn');
    const response = await get('/api/turn/credentials', user.token);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      iceServers: { urls: string[]; username: string; credential: string }[];
      ttl: number;
      expiresAt: string;
    };
    expect(body.ttl).toBe(3600);
    expect(body.iceServers[0]!.urls).toEqual([
      'turn:127.0.0.1:3478?transport=udp',
      'turn:127.0.0.1:3478?transport=tcp',
    ]);
    const [expiry, userId] = body.iceServers[0]!.username.split(':');
    expect(userId).toBe(user.id);
    expect(Number(expiry) * 1000).toBe(Date.parse(body.expiresAt));
  });

  it('serves call history (empty for a new user), health, metrics and the OpenAPI document', async () => {
    const user = await registerUser(gateway.baseUrl, 'history');
    const history = (await (await get('/api/calls/recent', user.token)).json()) as CallHistory;
    expect(history).toEqual({ calls: [] });
    expect((await get('/api/calls/recent?limit=0', user.token)).status).toBe(400);

    const health = await get('/api/health');
    expect(health.status).toBe(200);
    expect((await health.json()) as HealthStatus).toMatchObject({
      status: 'ok',
      live: true,
      ready: true,
      checks: { database: 'up' },
    });

    const metrics = await (await get('/metrics')).text();
    expect(metrics).toMatch(/callgate_errors_total\{transport="http",code="unauthorized"/);
    expect(metrics).toMatch(/callgate_turn_credentials_issued_total\{channel="rest"/);

    const docs = (await (await get('/api/docs/json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/register',
        '/api/auth/login',
        '/api/auth/refresh',
        '/api/auth/logout',
        '/api/users/me',
        '/api/users',
        '/api/turn/credentials',
        '/api/calls/recent',
        '/api/health',
      ]),
    );
    expect((await get('/api/docs')).status).toBe(200);
  });
});
