/**
 * The Redis-backed half of issue 12 on real PostgreSQL + Redis: sessions cut on sign-out
 * and disable (across two replicas), tokens refused before they expire, the device-cookie
 * login throttle against 100 sequential and 60 parallel guesses, and the socket cap.
 */
import type { AuthSession, SessionEnded } from '@callgate/protocol';
import {
  type ClientSocket,
  connected,
  connectSocket,
  delay,
  nextEvent,
  registerUser,
  type RunningGateway,
  type TestUser,
} from './support/gateway-harness';
import { integrationSuite } from './support/integration-suite';
import { bearer, cookieNamed, errorOf, Rest } from './support/rest';

const PASSWORD = 'correct horse battery';
const MAX_FAILURES = 10;
const MAX_SOCKETS = 3;

const suite = integrationSuite();
let replicaA: RunningGateway;
let replicaB: RunningGateway;
let a: Rest;
let b: Rest;
let admin: TestUser;

async function replica(): Promise<RunningGateway> {
  return suite.gateway({
    LOGIN_MAX_FAILURES: String(MAX_FAILURES),
    LOGIN_FAILURE_WINDOW_SECONDS: '600',
    LOGIN_DELAY_BASE_MS: '1',
    MAX_SOCKETS_PER_USER: String(MAX_SOCKETS),
  });
}

beforeAll(async () => {
  // The first account is the admin; both replicas share PostgreSQL and Redis.
  replicaA = await replica();
  replicaB = await replica();
  a = new Rest(replicaA.baseUrl);
  b = new Rest(replicaB.baseUrl);
  admin = await registerUser(replicaA.baseUrl, 'admin');
  expect(admin.session.user.isAdmin).toBe(true);
}, 180_000);

/** The socket's `session:ended` notice and the moment it was cut, or a timeout. */
function cut(socket: ClientSocket): Promise<{ notice: SessionEnded; at: number }> {
  const notice = nextEvent(socket, 'session:ended', 3000);
  const gone = new Promise<number>((resolve) =>
    socket.once('disconnect', () => resolve(Date.now())),
  );
  return Promise.all([notice, gone]).then(([payload, at]) => ({ notice: payload, at }));
}

async function refusedHandshake(baseUrl: string, token: string): Promise<Error> {
  const socket = connectSocket(baseUrl, token);
  suite.track(socket);
  return connected(socket).then(
    () => {
      throw new Error('expected the handshake to be refused');
    },
    (error: Error) => error,
  );
}

async function login(
  rest: Rest,
  username: string,
  password: string,
  cookie?: string,
): Promise<Response> {
  return rest.post(
    '/api/auth/login',
    { username, password },
    cookie === undefined ? {} : { cookie },
  );
}

describe('ending sessions', () => {
  it('disabling cuts the person’s live sockets on every replica within 1 s and says why', async () => {
    const victim = await registerUser(replicaA.baseUrl, 'victim');
    const onA = await suite.open(replicaA.baseUrl, victim.token);
    const onB = await suite.open(replicaB.baseUrl, victim.token);
    const [cutA, cutB] = [cut(onA), cut(onB)];
    const started = Date.now();
    const response = await a.post(
      `/api/admin/users/${victim.id}/disable`,
      undefined,
      bearer(admin.token),
    );
    expect(response.status).toBe(200);
    const [endA, endB] = await Promise.all([cutA, cutB]);
    for (const end of [endA, endB]) {
      expect(end.notice.code).toBe('account_disabled');
      expect(end.at - started).toBeLessThan(1000);
    }
    const again = await refusedHandshake(replicaB.baseUrl, victim.token);
    expect(again.message).toBe('account_disabled');
    expect((await b.get('/api/turn/credentials', victim.token)).status).toBe(403);
  });

  it('sign-out refuses the unexpired access token at once on REST and the handshake, and cuts that session’s socket only', async () => {
    const user = await registerUser(replicaA.baseUrl, 'leaver');
    const other = await login(a, user.session.user.username, PASSWORD);
    const otherToken = ((await other.json()) as AuthSession).accessToken;
    const mine = await suite.open(replicaB.baseUrl, user.token);
    const theirs = await suite.open(replicaB.baseUrl, otherToken);
    const ended = cut(mine);
    let theirsCut = false;
    theirs.once('disconnect', () => (theirsCut = true));

    expect((await a.post('/api/auth/logout', undefined, { cookie: user.cookie })).status).toBe(204);
    expect((await ended).notice.code).toBe('session_revoked');
    const rest = await b.get('/api/users/me', user.token);
    expect(rest.status).toBe(401);
    expect((await errorOf(rest)).code).toBe('session_revoked');
    expect((await refusedHandshake(replicaA.baseUrl, user.token)).message).toBe('session_revoked');
    // The other window's session is untouched.
    expect((await b.get('/api/users/me', otherToken)).status).toBe(200);
    expect(theirsCut).toBe(false);
    expect(theirs.connected).toBe(true);
  });

  it('"sign out everywhere" cuts every window of the account', async () => {
    const user = await registerUser(replicaA.baseUrl, 'everywhere');
    const second = await login(b, user.session.user.username, PASSWORD);
    const secondToken = ((await second.json()) as AuthSession).accessToken;
    const first = await suite.open(replicaA.baseUrl, user.token);
    const other = await suite.open(replicaB.baseUrl, secondToken);
    const ends = Promise.all([cut(first), cut(other)]);
    expect(
      (await a.post('/api/auth/logout-everywhere', undefined, bearer(user.token))).status,
    ).toBe(204);
    expect((await ends).map((end) => end.notice.code)).toEqual([
      'session_revoked',
      'session_revoked',
    ]);
    expect((await b.get('/api/users/me', secondToken)).status).toBe(401);
  });
});

describe('device-cookie login throttle', () => {
  it('after 100 wrong guesses from unknown browsers the owner’s browser still signs in; strangers get 429 + Retry-After', async () => {
    const alice = await registerUser(replicaA.baseUrl, 'alice');
    const username = alice.session.user.username;
    const first = await login(a, username, PASSWORD);
    expect(first.status).toBe(200);
    const device = cookieNamed(first, 'callgate_device');
    expect(device).toMatch(/^callgate_device=/);
    expect(first.headers.getSetCookie().find((c) => c.startsWith('callgate_device='))).toMatch(
      /HttpOnly/,
    );

    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      // Alternate replicas: the counter is shared.
      const guess = await login(i % 2 === 0 ? a : b, username, `wrong guess ${i}`);
      statuses.push(guess.status);
    }
    expect(statuses.slice(0, MAX_FAILURES).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(MAX_FAILURES).every((status) => status === 429)).toBe(true);

    const stranger = await login(a, username, PASSWORD);
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers.get('retry-after'))).toBeGreaterThan(500);
    expect((await errorOf(stranger)).code).toBe('rate_limited');

    const owner = await login(b, username, PASSWORD, device);
    expect(owner.status).toBe(200);
    // A forged cookie or one for another username is just an unknown browser.
    expect((await login(a, username, PASSWORD, 'callgate_device=forged.cookie.value')).status).toBe(
      429,
    );
  });

  it('counts 60 parallel wrong guesses as 60, and keeps the count across a gateway restart', async () => {
    const bob = await registerUser(replicaA.baseUrl, 'bob');
    const username = bob.session.user.username;
    const guesses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => login(i % 2 === 0 ? a : b, username, `parallel ${i}`)),
    );
    const wrong = guesses.filter((response) => response.status === 401).length;
    const limited = guesses.filter((response) => response.status === 429).length;
    expect([wrong, limited]).toEqual([MAX_FAILURES, 60 - MAX_FAILURES]);
    expect(await suite.redis.client.get(`cg:login:untrusted:${username}`)).toBe('60');

    const restarted = await replica();
    try {
      expect((await login(new Rest(restarted.baseUrl), username, PASSWORD)).status).toBe(429);
    } finally {
      await restarted.close();
    }
  });
});

describe('per-account limits', () => {
  it(`refuses the ${MAX_SOCKETS + 1}th socket of one account with too_many_connections`, async () => {
    const carol = await registerUser(replicaA.baseUrl, 'carol');
    const carols: ClientSocket[] = [];
    for (let i = 0; i < MAX_SOCKETS; i++)
      carols.push(await suite.open(replicaA.baseUrl, carol.token));
    const refused = await refusedHandshake(replicaA.baseUrl, carol.token);
    expect(refused.message).toBe('too_many_connections');
    expect((refused as Error & { data?: { message: string } }).data?.message).toMatch(
      /already has 3 connections open/,
    );
    // Closing one makes room again.
    carols[0]!.disconnect();
    await delay(300);
    await suite.open(replicaA.baseUrl, carol.token);
    // Someone else is not affected.
    const dave = await registerUser(replicaA.baseUrl, 'dave');
    await suite.open(replicaA.baseUrl, dave.token);
  });
});
