import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import type { Request } from 'express';
import { CallgateError } from '../common/callgate-error';
import { AccessTokenService } from './access-token.service';
import { SessionRevocationService } from './session-revocation.service';

/** Request augmented by {@link AccessTokenGuard}. */
interface AuthenticatedRequest extends Request {
  userId?: string;
  sessionId?: string;
}

/**
 * REST guard: requires `Authorization: Bearer <access token>` whose session is still live
 * (not signed out, not revoked, account not disabled).
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly tokens: AccessTokenService,
    private readonly revocations: SessionRevocationService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null)
      throw CallgateError.unauthorized(
        'Send your access token as "Authorization: Bearer <token>".',
      );
    // verify() refuses with unauthorized or token_expired, which the filter renders as 401.
    const claims = await this.tokens.verify(match[1]);
    await this.revocations.assertLive(claims);
    request.userId = claims.userId;
    request.sessionId = claims.sessionId;
    return true;
  }
}

/** The authenticated user id; only valid behind {@link AccessTokenGuard}. */
export const AuthUserId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string => {
    const userId = context.switchToHttp().getRequest<AuthenticatedRequest>().userId;
    if (userId === undefined) throw CallgateError.unauthorized('Sign in first.');
    return userId;
  },
);

/** The session (refresh family) of the access token; only valid behind the guard. */
export const AuthSessionId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string => {
    const sessionId = context.switchToHttp().getRequest<AuthenticatedRequest>().sessionId;
    if (sessionId === undefined) throw CallgateError.unauthorized('Sign in first.');
    return sessionId;
  },
);
