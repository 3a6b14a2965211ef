import { Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AccessTokenService } from '../access-token/access-token.service';
import type { SessionRevocationService } from '../access-token/session-revocation.service';
import { CallgateError } from '../common/callgate-error';
import { testConfig } from '../testing/test-config';
import type { StoredUser, UsersService } from '../users/users.service';
import { AccountRateLimits } from './account-rate-limits';
import { type ConnectErrorWire, createSocketAuthMiddleware } from './socket-auth.middleware';
import type { SignalingSocket } from './socket-session';

const config = testConfig();
const jwt = new JwtService({});
const tokens = new AccessTokenService(jwt, config);
const alice: StoredUser = {
  id: '5b0f3c1e-2d4a-4e6b-8c9d-0e1f2a3b4c5d',
  username: 'alice',
  displayName: 'Alice',
  createdAt: '2026-01-01T00:00:00.000Z',
  isAdmin: false,
  passwordHash: '$argon2id$…',
  disabledAt: null,
  lastSeenAt: null,
};
const carol: StoredUser = {
  ...alice,
  id: '6c1f4d2f-3e5b-4f7c-9d0e-1f2a3b4c5d6e',
  username: 'carol',
  disabledAt: new Date('2026-01-02T00:00:00.000Z'),
};
const SESSION_ID = '2e0a7c0a-3f4d-4e5f-8a1b-2c3d4e5f6a7b';
const REVOKED_SESSION_ID = '3f1b8d1b-4a5e-4f60-9b2c-3d4e5f6a7b8c';
const users = {
  findById: (id: string) => Promise.resolve([alice, carol].find((user) => user.id === id)),
} as unknown as UsersService;
const revocations = {
  assertLive: ({ sessionId }: { sessionId: string }) =>
    sessionId === REVOKED_SESSION_ID
      ? Promise.reject(CallgateError.sessionRevoked())
      : Promise.resolve(),
} as unknown as SessionRevocationService;
const middleware = createSocketAuthMiddleware(
  tokens,
  users,
  revocations,
  config,
  new AccountRateLimits(config.signaling.rateBurst, config.signaling.ratePerSecond),
  () => Promise.resolve(openSockets),
);
/** How many sockets the account already has open, as presence reports it. */
let openSockets = 0;

function handshake(auth: unknown): Promise<{ socket: SignalingSocket; error: Error | undefined }> {
  const socket = { handshake: { auth }, data: {} } as unknown as SignalingSocket;
  return new Promise((resolve) => middleware(socket, (error) => resolve({ socket, error })));
}

function tokenFor(subject: string, expiresIn: number): string {
  return jwt.sign(
    { sid: SESSION_ID },
    { secret: config.jwt.secret, subject, issuer: 'callgate', audience: 'callgate', expiresIn },
  );
}

describe('signaling handshake middleware', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('admits a valid token and caches the user summary and expiry on the socket', async () => {
    const { token } = await tokens.issue(alice.id, SESSION_ID);
    const { socket, error } = await handshake({ token });
    expect(error).toBeUndefined();
    expect(socket.data.sessionId).toBe(SESSION_ID);
    expect(socket.data.user).toEqual({ id: alice.id, username: 'alice', displayName: 'Alice' });
    expect(socket.data.tokenExpiresAt).toBeGreaterThan(Date.now());
    expect(socket.data.rateLimit.take()).toBe(true);
  });

  it.each([
    ['no auth at all', undefined],
    ['no token', {}],
    ['a token that is not a string', { token: 42 }],
    ['a forged token', { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }],
  ])('refuses %s with "unauthorized"', async (_case, auth) => {
    const { error } = await handshake(auth);
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toBe('unauthorized');
    expect((error as ConnectErrorWire).data.code).toBe('unauthorized');
  });

  it('refuses an expired token with "token_expired"', async () => {
    const { error } = await handshake({ token: tokenFor(alice.id, -5) });
    expect(error!.message).toBe('token_expired');
  });

  it('refuses an unexpired token of a revoked session with "session_revoked"', async () => {
    const { token } = await tokens.issue(alice.id, REVOKED_SESSION_ID);
    const { error } = await handshake({ token });
    expect(error!.message).toBe('session_revoked');
    expect((error as ConnectErrorWire).data.code).toBe('session_revoked');
  });

  it('refuses a disabled account with "account_disabled"', async () => {
    const { token } = await tokens.issue(carol.id, SESSION_ID);
    const { error } = await handshake({ token });
    expect(error!.message).toBe('account_disabled');
  });

  it('refuses a socket beyond the per-account cap with "too_many_connections"', async () => {
    const { token } = await tokens.issue(alice.id, SESSION_ID);
    openSockets = config.maxSocketsPerUser;
    try {
      const { error } = await handshake({ token });
      expect(error!.message).toBe('too_many_connections');
      expect((error as ConnectErrorWire).data.message).toMatch(/already has 10 connections open/);
    } finally {
      openSockets = 0;
    }
  });

  it('answers a failure of the server itself with "unavailable", not "unauthorized"', async () => {
    const failing = createSocketAuthMiddleware(
      tokens,
      {
        findById: () => Promise.reject(new Error('connection terminated')),
      } as unknown as UsersService,
      revocations,
      config,
      new AccountRateLimits(config.signaling.rateBurst, config.signaling.ratePerSecond),
      () => Promise.resolve(0),
    );
    const { token } = await tokens.issue(alice.id, SESSION_ID);
    const socket = { handshake: { auth: { token } }, data: {} } as unknown as SignalingSocket;
    const error = await new Promise<Error | undefined>((resolve) => failing(socket, resolve));
    expect(error!.message).toBe('unavailable');
    expect((error as ConnectErrorWire).data.code).toBe('internal');
  });

  it('refuses a valid token of a deleted account', async () => {
    const { error } = await handshake({
      token: tokenFor('9d9d9d9d-9d9d-4d9d-8d9d-9d9d9d9d9d9d', 60),
    });
    expect(error!.message).toBe('unauthorized');
  });
});
