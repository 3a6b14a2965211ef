import { Injectable, Logger } from '@nestjs/common';
import type { AuthSession } from '@callgate/protocol';
import { CallgateError } from '../common/callgate-error';
import { type StoredUser, toCurrentUser, UsersService } from '../users/users.service';
import { AccessTokenService } from './access-token.service';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordService } from './password.service';
import { RefreshTokenService } from './refresh-token.service';
import type { LoginDto, RegisterDto } from './dto/auth.dto';

/** An {@link AuthSession} plus the refresh token that goes into the cookie. */
export interface IssuedSession {
  session: AuthSession;
  refreshToken: string;
  refreshExpiresAt: Date;
}

const BAD_CREDENTIALS = 'The username or password is wrong.';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly throttle: LoginThrottleService,
  ) {}

  async register(input: RegisterDto): Promise<IssuedSession> {
    const passwordHash = await this.passwords.hash(input.password);
    const user = await this.users.create(
      input.username,
      input.displayName ?? input.username,
      passwordHash,
    );
    this.logger.log(`Registered user ${user.id} (${user.username})`);
    return this.startSession(user);
  }

  async login(input: LoginDto, clientAddress: string): Promise<IssuedSession> {
    this.throttle.assertAllowed(input.username, clientAddress);
    const user = await this.users.findByUsername(input.username);
    const valid = await this.passwords.verify(user?.passwordHash, input.password);
    if (user === undefined || !valid) {
      this.throttle.recordFailure(input.username, clientAddress);
      throw CallgateError.unauthorized(BAD_CREDENTIALS);
    }
    this.throttle.recordSuccess(input.username, clientAddress);
    return this.startSession(user);
  }

  async refresh(refreshToken: string | undefined): Promise<IssuedSession> {
    const rotated = await this.refreshTokens.rotate(refreshToken);
    const user = await this.users.getById(rotated.userId);
    const access = await this.accessTokens.issue(user.id);
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

  logout(refreshToken: string | undefined): Promise<void> {
    return this.refreshTokens.revokeFamily(refreshToken);
  }

  private async startSession(user: StoredUser): Promise<IssuedSession> {
    const [access, refresh] = await Promise.all([
      this.accessTokens.issue(user.id),
      this.refreshTokens.issue(user.id),
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
