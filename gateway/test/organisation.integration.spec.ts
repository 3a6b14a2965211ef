import { Client } from 'pg';
import type {
  AdminUserList,
  AuthSession,
  CreatedInvite,
  InviteList,
  RegistrationInfo,
} from '@callgate/protocol';
import { RegistrationService } from '../src/auth/registration.service';
import type { RunningGateway } from './support/gateway-harness';
import { integrationSuite, STARTUP_TIMEOUT_MS } from './support/integration-suite';
import { bearer, cookieNamed, errorOf, Rest } from './support/rest';

const PASSWORD = 'correct horse battery';
const suite = integrationSuite();
let databases = 0;

async function sql<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A gateway on its own empty database, so "first account" really is the first. */
async function freshGateway(
  env: Record<string, string>,
): Promise<{ rest: Rest; dbUrl: string; gateway: RunningGateway }> {
  databases += 1;
  const name = `org_${databases}`;
  await sql(suite.postgres.getConnectionUri(), `CREATE DATABASE ${name}`);
  const url = new URL(suite.postgres.getConnectionUri());
  url.pathname = `/${name}`;
  const gateway = await suite.gateway(env, url.href);
  return { rest: new Rest(gateway.baseUrl), dbUrl: url.href, gateway };
}

interface Account {
  session: AuthSession;
  token: string;
  cookie: string;
}

async function signUp(rest: Rest, username: string, invite?: string): Promise<Response> {
  return rest.post('/api/auth/register', {
    username,
    password: PASSWORD,
    ...(invite === undefined ? {} : { invite }),
  });
}

async function account(response: Response): Promise<Account> {
  expect(response.status).toBe(201);
  const session = (await response.json()) as AuthSession;
  return {
    session,
    token: session.accessToken,
    cookie: cookieNamed(response, 'callgate_refresh')!,
  };
}

async function invite(rest: Rest, admin: Account, body: object = {}): Promise<CreatedInvite> {
  const response = await rest.post('/api/admin/invites', body, bearer(admin.token));
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedInvite;
}

describe('registration modes', () => {
  it('invite (default): the first sign-up needs no invite and becomes admin, exactly once under a race', async () => {
    const { rest } = await freshGateway({ REGISTRATION: 'invite' });
    expect((await (await rest.get('/api/auth/registration')).json()) as RegistrationInfo).toEqual({
      mode: 'invite',
      firstAccount: true,
    });
    const racers = await Promise.all(
      ['first.a', 'first.b', 'first.c', 'first.d'].map((name) => signUp(rest, name)),
    );
    const statuses = racers.map((response) => response.status).sort();
    expect(statuses).toEqual([201, 403, 403, 403]);
    const winner = await account(racers.find((response) => response.status === 201)!);
    expect(winner.session.user.isAdmin).toBe(true);
    for (const loser of racers.filter((response) => response.status === 403)) {
      expect((await errorOf(loser)).message).toBe(
        'Signing up needs an invite link; ask an administrator for one.',
      );
    }
    expect(
      ((await (await rest.get('/api/auth/registration')).json()) as RegistrationInfo).firstAccount,
    ).toBe(false);
  });

  it('invite: a link works once; missing, unknown, used, revoked and expired links each get one sentence', async () => {
    const { rest, dbUrl } = await freshGateway({ REGISTRATION: 'invite' });
    const admin = await account(await signUp(rest, 'boss'));
    const link = await invite(rest, admin, { note: 'for bob', expiresInHours: 2 });
    expect(link.path).toBe(`/signup?invite=${link.token}`);
    expect(link.status).toBe('pending');

    const unknown = await signUp(rest, 'mallory', 'A'.repeat(43));
    expect(unknown.status).toBe(403);
    expect((await errorOf(unknown)).message).toBe(
      'This invite link is not valid; ask an administrator for a new one.',
    );

    // Two people racing for one link: exactly one account.
    const [first, second] = await Promise.all([
      signUp(rest, 'bob', link.token),
      signUp(rest, 'eve', link.token),
    ]);
    expect([first.status, second.status].sort()).toEqual([201, 403]);
    const loser = first.status === 403 ? first : second;
    expect((await errorOf(loser)).message).toBe(
      'This invite link has already been used; ask an administrator for a new one.',
    );
    const winnerName = first.status === 201 ? 'bob' : 'eve';
    const newcomer = await account(first.status === 201 ? first : second);
    expect(newcomer.session.user.isAdmin).toBe(false);

    const expired = await invite(rest, admin);
    await sql(dbUrl, `UPDATE invites SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expired.id,
    ]);
    const late = await signUp(rest, 'latecomer', expired.token);
    expect(late.status).toBe(403);
    expect((await errorOf(late)).message).toBe(
      'This invite link has expired; ask an administrator for a new one.',
    );

    const revoked = await invite(rest, admin);
    const revoke = await rest.send(
      'DELETE',
      `/api/admin/invites/${revoked.id}`,
      undefined,
      bearer(admin.token),
    );
    expect(revoke.status).toBe(200);
    expect((await signUp(rest, 'revokee', revoked.token)).status).toBe(403);

    // A taken username does not burn the link.
    const spare = await invite(rest, admin);
    expect((await signUp(rest, 'boss', spare.token)).status).toBe(409);
    expect((await signUp(rest, 'spare.user', spare.token)).status).toBe(201);

    const list = (await (await rest.get('/api/admin/invites', admin.token)).json()) as InviteList;
    const byId = new Map(list.invites.map((item) => [item.id, item]));
    expect(byId.get(link.id)).toMatchObject({
      status: 'used',
      usedBy: winnerName,
      note: 'for bob',
    });
    expect(byId.get(expired.id)?.status).toBe('expired');
    expect(byId.get(revoked.id)?.status).toBe('revoked');
    expect(JSON.stringify(list)).not.toContain(link.token);
    const users = await sql<{ username: string }>(
      dbUrl,
      'SELECT username FROM users ORDER BY username',
    );
    expect(users.map((row) => row.username)).toEqual(['boss', winnerName, 'spare.user'].sort());
  });

  it('open: anyone signs up, only the first is admin', async () => {
    const { rest } = await freshGateway({ REGISTRATION: 'open' });
    expect((await account(await signUp(rest, 'opener'))).session.user.isAdmin).toBe(true);
    expect((await account(await signUp(rest, 'walkin'))).session.user.isAdmin).toBe(false);
  });

  it('closed: nobody signs up, not even with an invite; the admin command still creates accounts', async () => {
    const { rest, gateway } = await freshGateway({ REGISTRATION: 'closed' });
    const founder = await account(await signUp(rest, 'founder'));
    const link = await invite(rest, founder);
    const refused = await signUp(rest, 'guest', link.token);
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toBe(
      'Sign-up is closed here; ask an administrator to create your account.',
    );
    const registration = gateway.app.get(RegistrationService);
    const made = await registration.createAdmin({
      username: 'ops',
      displayName: 'Ops',
      password: PASSWORD,
    });
    expect(made).toMatchObject({ created: true, user: { username: 'ops', isAdmin: true } });
    const login = await rest.post('/api/auth/login', { username: 'ops', password: PASSWORD });
    expect(((await login.json()) as AuthSession).user.isAdmin).toBe(true);
  });
});

describe('admin API and sessions', () => {
  let rest: Rest;
  let admin: Account;

  beforeAll(async () => {
    ({ rest } = await freshGateway({ REGISTRATION: 'open' }));
    admin = await account(await signUp(rest, 'admin'));
  }, STARTUP_TIMEOUT_MS);

  it('answers 403 to everyone but admins', async () => {
    const person = await account(await signUp(rest, 'plain'));
    for (const [method, path] of [
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/invites'],
      ['POST', '/api/admin/invites'],
      ['POST', `/api/admin/users/${admin.session.user.id}/disable`],
    ] as const) {
      const response = await rest.send(method, path, undefined, bearer(person.token));
      expect(response.status).toBe(403);
      expect((await errorOf(response)).code).toBe('forbidden');
    }
    expect((await rest.get('/api/admin/users')).status).toBe(401);
  });

  it('lists people with last seen; disabling ends their sessions and TURN at once, enabling lets them back', async () => {
    const victim = await account(await signUp(rest, 'victim'));
    const list = (await (await rest.get('/api/admin/users', admin.token)).json()) as AdminUserList;
    const row = list.users.find((user) => user.id === victim.session.user.id)!;
    expect(row).toMatchObject({ username: 'victim', isAdmin: false, disabledAt: null });
    expect(Date.parse(row.lastSeenAt!)).toBeGreaterThan(Date.now() - 60_000);

    const disable = await rest.post(
      `/api/admin/users/${victim.session.user.id}/disable`,
      undefined,
      bearer(admin.token),
    );
    expect(disable.status).toBe(200);
    const denied = await rest.get('/api/turn/credentials', victim.token);
    expect(denied.status).toBe(403);
    expect((await errorOf(denied)).code).toBe('account_disabled');
    expect((await rest.get('/api/users/me', victim.token)).status).toBe(403);
    expect(
      (await rest.post('/api/auth/refresh', undefined, { cookie: victim.cookie })).status,
    ).toBe(401);
    const login = await rest.post('/api/auth/login', { username: 'victim', password: PASSWORD });
    expect(login.status).toBe(403);
    expect((await errorOf(login)).message).toMatch(/disabled/);
    const contacts = await (await rest.get('/api/users?query=victim', admin.token)).json();
    expect(contacts).toEqual({ users: [] });

    const selfDisable = await rest.post(
      `/api/admin/users/${admin.session.user.id}/disable`,
      undefined,
      bearer(admin.token),
    );
    expect(selfDisable.status).toBe(409);
    expect(
      (await rest.post('/api/admin/users/not-a-uuid/disable', undefined, bearer(admin.token)))
        .status,
    ).toBe(404);

    await rest.post(
      `/api/admin/users/${victim.session.user.id}/enable`,
      undefined,
      bearer(admin.token),
    );
    expect(
      (await rest.post('/api/auth/login', { username: 'victim', password: PASSWORD })).status,
    ).toBe(200);
  });

  it('refuses an unexpired access token at once after sign-out; sign out everywhere ends the other window too', async () => {
    const first = await account(await signUp(rest, 'twowindows'));
    const other = await rest.post('/api/auth/login', {
      username: 'twowindows',
      password: PASSWORD,
    });
    const second: Account = {
      session: (await other.json()) as AuthSession,
      token: '',
      cookie: cookieNamed(other, 'callgate_refresh')!,
    };
    second.token = second.session.accessToken;

    expect((await rest.post('/api/auth/logout', undefined, { cookie: first.cookie })).status).toBe(
      204,
    );
    const refused = await rest.get('/api/users/me', first.token);
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).code).toBe('session_revoked');
    expect((await rest.get('/api/users/me', second.token)).status).toBe(200);

    const third = await rest.post('/api/auth/login', {
      username: 'twowindows',
      password: PASSWORD,
    });
    const thirdToken = ((await third.json()) as AuthSession).accessToken;
    expect(
      (await rest.post('/api/auth/logout-everywhere', undefined, bearer(second.token))).status,
    ).toBe(204);
    for (const token of [second.token, thirdToken]) {
      expect((await rest.get('/api/users/me', token)).status).toBe(401);
    }
    expect(
      (await rest.post('/api/auth/refresh', undefined, { cookie: second.cookie })).status,
    ).toBe(401);
  });

  it('changing the password keeps this session and signs out every other one', async () => {
    const here = await account(await signUp(rest, 'changer'));
    const elsewhere = await rest.post('/api/auth/login', {
      username: 'changer',
      password: PASSWORD,
    });
    const elsewhereToken = ((await elsewhere.json()) as AuthSession).accessToken;
    const elsewhereCookie = cookieNamed(elsewhere, 'callgate_refresh')!;

    const wrong = await rest.post(
      '/api/auth/password',
      { currentPassword: 'not my password', newPassword: 'a brand new password' },
      bearer(here.token),
    );
    expect(wrong.status).toBe(403);
    const short = await rest.post(
      '/api/auth/password',
      { currentPassword: PASSWORD, newPassword: 'short' },
      bearer(here.token),
    );
    expect(short.status).toBe(400);
    expect((await errorOf(short)).message).toMatch(/^newPassword must be at least 10/);

    const changed = await rest.post(
      '/api/auth/password',
      { currentPassword: PASSWORD, newPassword: 'a brand new password' },
      bearer(here.token),
    );
    expect(changed.status).toBe(204);
    expect((await rest.get('/api/users/me', here.token)).status).toBe(200);
    expect((await rest.post('/api/auth/refresh', undefined, { cookie: here.cookie })).status).toBe(
      200,
    );
    expect((await rest.get('/api/users/me', elsewhereToken)).status).toBe(401);
    expect(
      (await rest.post('/api/auth/refresh', undefined, { cookie: elsewhereCookie })).status,
    ).toBe(401);
    expect(
      (await rest.post('/api/auth/login', { username: 'changer', password: PASSWORD })).status,
    ).toBe(401);
    expect(
      (
        await rest.post('/api/auth/login', {
          username: 'changer',
          password: 'a brand new password',
        })
      ).status,
    ).toBe(200);
  });

  it('refuses control and bidi-override characters with a 400 naming the field, never a 500', async () => {
    const cases: [string, object, RegExp][] = [
      [
        '/api/auth/register',
        { username: 'nul.name', password: PASSWORD, displayName: 'Bad\u0000Name' },
        /^displayName must not contain control/,
      ],
      [
        '/api/auth/register',
        { username: 'bidi.name', password: PASSWORD, displayName: 'evil\u202Egnp.exe' },
        /^displayName must not contain control/,
      ],
      [
        '/api/auth/register',
        { username: 'nul\u0000user', password: PASSWORD },
        /username must not contain control/,
      ],
      [
        '/api/auth/login',
        { username: 'admin\u0000', password: PASSWORD },
        /username must not contain control/,
      ],
    ];
    for (const [path, body, message] of cases) {
      const response = await rest.post(path, body);
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('invalid_payload');
      expect(error.message).toMatch(message);
    }
    const query = await rest.get('/api/users?query=a%00b', admin.token);
    expect(query.status).toBe(400);
    expect((await errorOf(query)).message).toMatch(/^query must not contain control/);
    expect((await account(await signUp(rest, 'emoji.ok'))).session.user.username).toBe('emoji.ok');
    const family = await rest.post('/api/auth/register', {
      username: 'family',
      password: PASSWORD,
      displayName: 'Fam 👨‍👩‍👧',
    });
    expect(family.status).toBe(201);
  });
});

describe('session lifetimes', () => {
  it('ends a session at its absolute lifetime however often it is refreshed, and after the idle timeout', async () => {
    const { rest, dbUrl } = await freshGateway({
      REGISTRATION: 'open',
      SESSION_MAX_LIFETIME_SECONDS: '3600',
      SESSION_IDLE_TIMEOUT_SECONDS: '600',
    });
    const user = await account(await signUp(rest, 'lifetime'));
    // Sign-in "59 min 58 s ago": the next token may live only ~2 s more, whatever the idle timeout.
    await sql(
      dbUrl,
      `UPDATE refresh_tokens SET family_started_at = now() - interval '3598 seconds'`,
    );
    const refreshed = await rest.post('/api/auth/refresh', undefined, { cookie: user.cookie });
    expect(refreshed.status).toBe(200);
    const [row] = await sql<{ expires_at: Date; family_started_at: Date }>(
      dbUrl,
      'SELECT expires_at, family_started_at FROM refresh_tokens WHERE rotated_at IS NULL',
    );
    expect(row!.expires_at.getTime() - row!.family_started_at.getTime()).toBe(3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const ended = await rest.post('/api/auth/refresh', undefined, {
      cookie: cookieNamed(refreshed, 'callgate_refresh')!,
    });
    expect(ended.status).toBe(401);

    const idle = await account(await signUp(rest, 'idler'));
    const [idleRow] = await sql<{ expires_at: Date; created_at: Date }>(
      dbUrl,
      `SELECT r.expires_at, r.created_at FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE u.username = 'idler'`,
    );
    expect(idleRow!.expires_at.getTime() - idleRow!.created_at.getTime()).toBeLessThanOrEqual(
      601_000,
    );
    await sql(
      dbUrl,
      `UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [idle.session.user.id],
    );
    expect((await rest.post('/api/auth/refresh', undefined, { cookie: idle.cookie })).status).toBe(
      401,
    );
  });
});
