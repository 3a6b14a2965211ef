import { Injectable, Logger } from '@nestjs/common';
import type { AdminUser } from '@callgate/protocol';
import { CallgateError } from '../common/callgate-error';
import { RefreshTokenService } from '../auth/refresh-token.service';
import { SessionRevocationService } from '../auth/session-revocation.service';
import { toAdminUser, UsersService } from '../users/users.service';

/** People management for admins: disabling ends every session of the account at once. */
@Injectable()
export class AdminService {
  private readonly logger = new Logger(AdminService.name);

  constructor(
    private readonly users: UsersService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly revocations: SessionRevocationService,
  ) {}

  async list(): Promise<AdminUser[]> {
    return (await this.users.listAll()).map(toAdminUser);
  }

  async setDisabled(adminId: string, userId: string, disabled: boolean): Promise<AdminUser> {
    if (disabled && adminId === userId) {
      throw CallgateError.conflict(
        'You cannot disable your own account; ask another administrator.',
      );
    }
    const user = await this.users.setDisabled(userId, disabled);
    if (user === undefined) throw CallgateError.notFound('There is no account with this id.');
    if (disabled) {
      const families = await this.refreshTokens.revokeAllForUser(userId);
      await this.revocations.disableUser(userId, families);
    } else {
      await this.revocations.enableUser(userId);
    }
    this.logger.log(`Admin ${adminId} ${disabled ? 'disabled' : 'enabled'} user ${userId}`);
    return toAdminUser(user);
  }
}
