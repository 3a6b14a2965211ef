import { Injectable, Logger } from '@nestjs/common';
import type { AuthSession } from '@callgate/protocol';
import { CallgateError } from '../common/callgate-error';
import { type StoredUser, toCurrentUser, UsersService } from '../users/users.service';
import { AccessTokenService } from './access-token.service';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordService } from './password.service';
import { RefreshTokenService } from './refresh-token.service';
import { RegistrationService } from './registration.service';
import { SessionRevocationService } from './session-revocation.service';
import type { ChangePasswordDto, LoginDto, RegisterDto } from './dto/auth.dto';

/** An {@link AuthSession} plus the refresh token that goes into the cookie. */
export interface IssuedSession {
  session: AuthSession;
  refreshToken: string;
  refreshExpiresAt: Date;
  /** Set after a successful password sign-in: the browser's new device cookie. */
  deviceCookie?: string | undefined;
}

const BAD_CREDENTIALS = 'The username or password is wrong.';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly registration: RegistrationService,
    private readonly passwords: PasswordService,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly throttle: LoginThrottleService,
    private readonly revocations: SessionRevocationService,
  ) {}

  async register(input: RegisterDto): Promise<IssuedSession> {
    const user = await this.registration.register({
      username: input.username,
      displayName: input.displayName ?? input.username,
      password: input.password,
      invite: input.invite,
    });
    return this.startSession(user);
  }

  /**
   * Password sign-in behind the device-cookie throttle: `deviceCookie` is what the browser
   * sent; the answer carries a fresh one for this username.
   */
  async login(input: LoginDto, deviceCookie: string | undefined): Promise<IssuedSession> {
    const attempt = await this.throttle.begin(input.username, deviceCookie);
    const user = await this.users.findByUsername(input.username);
    const valid = await this.passwords.verify(user?.passwordHash, input.password);
    if (user === undefined || !valid) {
      await attempt.failed();
      throw CallgateError.unauthorized(BAD_CREDENTIALS);
    }
    await attempt.succeeded();
    // Only after the password: a disabled account must not be probed for existence.
    if (user.disabledAt !== null) throw CallgateError.accountDisabled();
    const issued = await this.startSession(user);
    return { ...issued, deviceCookie: this.throttle.deviceCookieFor(user.username) };
  }

  async refresh(refreshToken: string | undefined): Promise<IssuedSession> {
    const rotated = await this.refreshTokens.rotate(refreshToken);
    const user = await this.users.findById(rotated.userId);
    if (user === undefined || user.disabledAt !== null) {
      await this.refreshTokens.revokeAllForUser(rotated.userId);
      if (user === undefined)
        throw CallgateError.unauthorized('This account no longer exists; sign in again.');
      throw CallgateError.accountDisabled();
    }
    await this.users.touch(user.id);
    const access = await this.accessTokens.issue(user.id, rotated.familyId);
    return {
      session: {
        user: toCurrentUser(user),
        accessToken: access.token,
        expiresIn: access.expiresIn,
      },
      refreshToken: rotated.token,
      refreshExpiresAt: rotated.expiresAt,
    };
  }

  /** Ends this browser's session: refresh family revoked, its access tokens refused. */
  async logout(refreshToken: string | undefined): Promise<void> {
    const familyId = await this.refreshTokens.revokeFamily(refreshToken);
    if (familyId !== null) await this.revocations.revokeSessions([familyId]);
  }

  /** "Sign out everywhere": every session of the account, this one included. */
  async logoutEverywhere(userId: string): Promise<void> {
    const families = await this.refreshTokens.revokeAllForUser(userId);
    await this.revocations.revokeSessions(families);
    this.logger.log(`User ${userId} signed out everywhere (${families.length} sessions)`);
  }

  /** Changes the password and signs out every other session; this one stays. */
  async changePassword(userId: string, sessionId: string, input: ChangePasswordDto): Promise<void> {
    const user = await this.users.getActive(userId);
    if (!(await this.passwords.verify(user.passwordHash, input.currentPassword))) {
      throw CallgateError.forbidden('The current password is wrong.');
    }
    await this.users.setPasswordHash(userId, await this.passwords.hash(input.newPassword));
    const families = await this.refreshTokens.revokeAllForUser(userId, sessionId);
    await this.revocations.revokeSessions(families);
    this.logger.log(`User ${userId} changed the password; ${families.length} other sessions ended`);
  }

  private async startSession(user: StoredUser): Promise<IssuedSession> {
    const refresh = await this.refreshTokens.issue(user.id);
    const [access] = await Promise.all([
      this.accessTokens.issue(user.id, refresh.familyId),
      this.users.touch(user.id),
    ]);
    return {
      session: {
        user: toCurrentUser(user),
        accessToken: access.token,
        expiresIn: access.expiresIn,
      },
      refreshToken: refresh.token,
      refreshExpiresAt: refresh.expiresAt,
    };
  }
}
