import type { ExecutionContext } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { CallgateError } from '../common/callgate-error';
import { HTTP_STATUS_BY_CODE } from '../common/http-status';
import { testConfig } from '../testing/test-config';
import { AccessTokenGuard } from './access-token.guard';
import { AccessTokenService } from './access-token.service';
import type { SessionRevocationService } from './session-revocation.service';

const config = testConfig();
const jwt = new JwtService({});
const tokens = new AccessTokenService(jwt, config);
const USER_ID = '5b0f3c1e-2d4a-4e6b-8c9d-0e1f2a3b4c5d';
const SESSION_ID = '7c1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const REVOKED_SESSION_ID = '8d2b3c4d-5e6f-4a71-9b8c-0d1e2f3a4b5c';
const revocations = {
  assertLive: ({ sessionId }: { sessionId: string }) =>
    sessionId === REVOKED_SESSION_ID
      ? Promise.reject(CallgateError.sessionRevoked())
      : Promise.resolve(),
} as unknown as SessionRevocationService;
const guard = new AccessTokenGuard(tokens, revocations);

function contextWith(authorization?: string): {
  context: ExecutionContext;
  request: { userId?: string; sessionId?: string };
} {
  const request: { headers: Record<string, string>; userId?: string; sessionId?: string } = {
    headers: authorization === undefined ? {} : { authorization },
  };
  const context = {
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request };
}

async function refusal(authorization?: string): Promise<CallgateError> {
  try {
    await guard.canActivate(contextWith(authorization).context);
  } catch (error) {
    expect(error).toBeInstanceOf(CallgateError);
    return error as CallgateError;
  }
  throw new Error('expected the request to be refused');
}

describe('AccessTokenGuard', () => {
  it('accepts a bearer access token and exposes the user id', async () => {
    const { token } = await tokens.issue(USER_ID, SESSION_ID);
    const { context, request } = contextWith(`Bearer ${token}`);
    expect(await guard.canActivate(context)).toBe(true);
    expect(request.userId).toBe(USER_ID);
    expect(request.sessionId).toBe(SESSION_ID);
  });

  it('answers 401 session_revoked for an unexpired token of a signed-out session', async () => {
    const { token } = await tokens.issue(USER_ID, REVOKED_SESSION_ID);
    const error = await refusal(`Bearer ${token}`);
    expect(HTTP_STATUS_BY_CODE[error.code]).toBe(401);
    expect(error.code).toBe('session_revoked');
  });

  it('answers 401 unauthorized without a bearer token or with a bad one', async () => {
    for (const header of [undefined, 'Basic abc', 'Bearer', 'Bearer not-a-token']) {
      const error = await refusal(header);
      expect(HTTP_STATUS_BY_CODE[error.code]).toBe(401);
      expect(error.code).toBe('unauthorized');
    }
  });

  it('answers 401 token_expired for an expired token, so clients know to refresh', async () => {
    const expired = jwt.sign(
      { sid: SESSION_ID },
      {
        secret: config.jwt.secret,
        subject: USER_ID,
        issuer: 'callgate',
        audience: 'callgate',
        expiresIn: -1,
      },
    );
    const error = await refusal(`Bearer ${expired}`);
    expect(HTTP_STATUS_BY_CODE[error.code]).toBe(401);
    expect(error.code).toBe('token_expired');
  });
});
