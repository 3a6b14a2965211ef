import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AccessTokenGuard } from './access-token.guard';
import { AccessTokenService } from './access-token.service';

/** Access-token issuing/verification, shared by REST guards and the socket middleware. */
@Global()
@Module({
  imports: [JwtModule.register({})],
  providers: [AccessTokenService, AccessTokenGuard],
  exports: [AccessTokenService, AccessTokenGuard],
})
export class AccessTokenModule {}
