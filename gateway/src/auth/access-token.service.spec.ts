import { JwtService } from '@nestjs/jwt';
import { testConfig } from '../testing/test-config';
import { CallgateError } from '../common/callgate-error';
import { AccessTokenService } from './access-token.service';

const USER_ID = '0c8f5a8e-1d2b-4c3d-8e9f-0a1b2c3d4e5f';
const SESSION_ID = '1d9f6b9f-2e3c-4d4e-9f0a-1b2c3d4e5f60';
const config = testConfig({ ACCESS_TOKEN_TTL_SECONDS: '900' });
const jwt = new JwtService({});
const service = new AccessTokenService(jwt, config);

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function failure(token: unknown): Promise<CallgateError> {
  try {
    await service.verify(token);
  } catch (error) {
    expect(error).toBeInstanceOf(CallgateError);
    return error as CallgateError;
  }
  throw new Error('expected the token to be refused');
}

function forge(
  options: Parameters<JwtService['sign']>[1],
  payload: object = { sid: SESSION_ID },
): string {
  return jwt.sign(payload, {
    secret: config.jwt.secret,
    subject: USER_ID,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    expiresIn: 60,
    ...options,
  });
}

describe('AccessTokenService', () => {
  it('issues HS256 tokens with sub, iss, aud and the configured lifetime', async () => {
    const before = Date.now();
    const { token, expiresIn } = await service.issue(USER_ID, SESSION_ID);
    expect(expiresIn).toBe(900);
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map(
        (part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>,
      );
    expect(header?.['alg']).toBe('HS256');
    expect(payload).toMatchObject({
      sub: USER_ID,
      sid: SESSION_ID,
      iss: 'callgate',
      aud: 'callgate',
    });
    const claims = await service.verify(token);
    expect(claims.userId).toBe(USER_ID);
    expect(claims.sessionId).toBe(SESSION_ID);
    expect(claims.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 899_000);
  });

  it('reports an expired token as token_expired', async () => {
    const expired = forge({ expiresIn: -10 });
    expect((await failure(expired)).code).toBe('token_expired');
  });

  it('refuses alg "none" even with a valid-looking payload', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
      sub: USER_ID,
      iss: 'callgate',
      aud: 'callgate',
      exp: now + 60,
    })}.`;
    expect((await failure(unsigned)).code).toBe('unauthorized');
  });

  it('refuses other HMAC algorithms with the right secret (algorithm pinned)', async () => {
    expect((await failure(forge({ algorithm: 'HS512' }))).code).toBe('unauthorized');
  });

  it('refuses a wrong signature, issuer or audience', async () => {
    expect((await failure(forge({ secret: 'another-secret-that-is-long-enough-000' }))).code).toBe(
      'unauthorized',
    );
    expect((await failure(forge({ issuer: 'someone-else' }))).code).toBe('unauthorized');
    expect((await failure(forge({ audience: 'another-app' }))).code).toBe('unauthorized');
  });

  it('refuses a token whose subject is not a user id, and non-strings', async () => {
    expect((await failure(forge({ subject: 'admin' }))).code).toBe('unauthorized');
    expect((await failure(undefined)).code).toBe('unauthorized');
    expect((await failure(42)).code).toBe('unauthorized');
    expect((await failure('not.a.jwt')).code).toBe('unauthorized');
  });

  it('refuses a token without a session id (issued before sessions could be revoked)', async () => {
    expect((await failure(forge({}, {}))).code).toBe('unauthorized');
    expect((await failure(forge({}, { sid: 'not-a-uuid' }))).code).toBe('unauthorized');
  });
});
