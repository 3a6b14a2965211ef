import { Module } from '@nestjs/common';
import { InvitesModule } from '../invites/invites.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordService } from './password.service';
import { RefreshTokenService } from './refresh-token.service';
import { RegistrationService } from './registration.service';

@Module({
  imports: [UsersModule, InvitesModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    PasswordService,
    RefreshTokenService,
    LoginThrottleService,
    RegistrationService,
  ],
  exports: [RefreshTokenService, RegistrationService, PasswordService],
})
export class AuthModule {}
