import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import type { Request } from 'express';
import { ApiError } from '../common/api-error';
import { AccessTokenError, AccessTokenService } from './access-token.service';

/** Request augmented by {@link AccessTokenGuard}. */
interface AuthenticatedRequest extends Request {
  userId?: string;
}

/** REST guard: requires `Authorization: Bearer <access token>`. */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly tokens: AccessTokenService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null)
      throw ApiError.unauthorized('Send your access token as "Authorization: Bearer <token>".');
    try {
      request.userId = (await this.tokens.verify(match[1])).userId;
      return true;
    } catch (error) {
      if (error instanceof AccessTokenError) {
        throw error.reason === 'token_expired'
          ? ApiError.tokenExpired()
          : ApiError.unauthorized(error.message);
      }
      throw error;
    }
  }
}

/** The authenticated user id; only valid behind {@link AccessTokenGuard}. */
export const AuthUserId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string => {
    const userId = context.switchToHttp().getRequest<AuthenticatedRequest>().userId;
    if (userId === undefined) throw ApiError.unauthorized('Sign in first.');
    return userId;
  },
);
