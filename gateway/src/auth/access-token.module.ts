import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AccessTokenGuard } from './access-token.guard';
import { AccessTokenService } from './access-token.service';
import { SessionRevocationService } from './session-revocation.service';

/** Access-token issuing/verification, shared by REST guards and the socket middleware. */
@Global()
@Module({
  imports: [JwtModule.register({})],
  providers: [AccessTokenService, AccessTokenGuard, SessionRevocationService],
  exports: [AccessTokenService, AccessTokenGuard, SessionRevocationService],
})
export class AccessTokenModule {}
