import { Module } from '@nestjs/common';
import { TurnController } from './turn.controller';
import { TurnCredentialService } from './turn-credential.service';

@Module({
  controllers: [TurnController],
  providers: [TurnCredentialService],
  exports: [TurnCredentialService],
})
export class TurnModule {}
