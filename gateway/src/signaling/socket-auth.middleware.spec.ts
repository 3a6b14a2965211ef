import { Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AccessTokenService } from '../auth/access-token.service';
import { testConfig } from '../testing/test-config';
import type { StoredUser, UsersService } from '../users/users.service';
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
  passwordHash: '$argon2id$…',
};
const users = {
  findById: (id: string) => Promise.resolve(id === alice.id ? alice : undefined),
} as unknown as UsersService;
const middleware = createSocketAuthMiddleware(tokens, users, config);

function handshake(auth: unknown): Promise<{ socket: SignalingSocket; error: Error | undefined }> {
  const socket = { handshake: { auth }, data: {} } as unknown as SignalingSocket;
  return new Promise((resolve) => middleware(socket, (error) => resolve({ socket, error })));
}

function tokenFor(subject: string, expiresIn: number): string {
  return jwt.sign(
    {},
    { secret: config.jwt.secret, subject, issuer: 'callgate', audience: 'callgate', expiresIn },
  );
}

describe('signaling handshake middleware', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('admits a valid token and caches the user summary and expiry on the socket', async () => {
    const { token } = await tokens.issue(alice.id);
    const { socket, error } = await handshake({ token });
    expect(error).toBeUndefined();
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

  it('refuses a valid token of a deleted account', async () => {
    const { error } = await handshake({
      token: tokenFor('9d9d9d9d-9d9d-4d9d-8d9d-9d9d9d9d9d9d', 60),
    });
    expect(error!.message).toBe('unauthorized');
  });
});
