import { Inject, Injectable, Logger } from '@nestjs/common';
import { RegistrationMode, type RegistrationInfo } from '@callgate/protocol';
import { CallgateError } from '../common/callgate-error';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { InvitesService } from '../invites/invites.service';
import { type StoredUser, UsersService } from '../users/users.service';
import { PasswordService } from './password.service';

/** Serialises sign-ups so exactly one can see the empty table and become admin. */
const REGISTRATION_LOCK_KEY = 72_410_002;

export interface Registration {
  username: string;
  displayName: string;
  password: string;
  invite?: string | undefined;
}

/**
 * Who may create an account, per `REGISTRATION`. On an empty database the first sign-up
 * needs no invite in any mode and becomes the admin: the check and the insert run under
 * one transaction-scoped advisory lock, so two simultaneous first sign-ups cannot both
 * see the empty table.
 */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger(RegistrationService.name);

  constructor(
    private readonly db: DatabaseService,
    private readonly users: UsersService,
    private readonly invites: InvitesService,
    private readonly passwords: PasswordService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async info(): Promise<RegistrationInfo> {
    return { mode: this.config.registration, firstAccount: !(await this.anyAccount()) };
  }

  /** A sign-up through the API, subject to the registration mode. */
  register(input: Registration): Promise<StoredUser> {
    return this.insert(input, 'signup');
  }

  /** The admin command: creates an admin in every mode (or promotes an existing account). */
  async createAdmin(
    input: Omit<Registration, 'invite'>,
  ): Promise<{ user: StoredUser; created: boolean }> {
    const existing = await this.users.findByUsername(input.username);
    if (existing !== undefined) {
      await this.db.query('UPDATE users SET is_admin = true, disabled_at = NULL WHERE id = $1', [
        existing.id,
      ]);
      await this.users.setPasswordHash(existing.id, await this.passwords.hash(input.password));
      return { user: { ...existing, isAdmin: true, disabledAt: null }, created: false };
    }
    return { user: await this.insert(input, 'command'), created: true };
  }

  private async insert(input: Registration, via: 'signup' | 'command'): Promise<StoredUser> {
    // Hash before taking the lock: argon2 takes tens of ms and must not serialise sign-ups.
    const passwordHash = await this.passwords.hash(input.password);
    const user = await this.db.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [REGISTRATION_LOCK_KEY]);
      const any = await client.query('SELECT 1 FROM users LIMIT 1');
      const first = any.rowCount === 0;
      let markInviteUsed: ((userId: string) => Promise<void>) | undefined;
      if (!first && via === 'signup') {
        switch (this.config.registration) {
          case RegistrationMode.Closed:
            throw CallgateError.forbidden(
              'Sign-up is closed here; ask an administrator to create your account.',
            );
          case RegistrationMode.Invite:
            markInviteUsed = await this.invites.consume(client, input.invite);
            break;
          case RegistrationMode.Open:
            break;
        }
      }
      const created = await this.users.create(client, {
        username: input.username,
        displayName: input.displayName,
        passwordHash,
        isAdmin: first || via === 'command',
      });
      await markInviteUsed?.(created.id);
      return created;
    });
    this.logger.log(
      `Registered user ${user.id} (${user.username})${user.isAdmin ? ' as admin' : ''} via ${via}`,
    );
    return user;
  }

  private async anyAccount(): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM users LIMIT 1')).length > 0;
  }
}
