import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { CallgateError } from '../common/callgate-error';
import { UsersService } from '../users/users.service';

/**
 * Admins only; runs after {@link AccessTokenGuard}. Reads the flag from PostgreSQL on
 * every request, so taking admin away takes effect at once (admin traffic is rare).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly users: UsersService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const userId = context.switchToHttp().getRequest<Request & { userId?: string }>().userId;
    if (userId === undefined) throw CallgateError.unauthorized('Sign in first.');
    const user = await this.users.getActive(userId);
    if (!user.isAdmin) throw CallgateError.forbidden('Only administrators can do this.');
    return true;
  }
}
