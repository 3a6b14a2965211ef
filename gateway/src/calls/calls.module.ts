import { Module } from '@nestjs/common';
import { CallHistoryService } from './call-history.service';
import { CallsController } from './calls.controller';

@Module({
  controllers: [CallsController],
  providers: [CallHistoryService],
  exports: [CallHistoryService],
})
export class CallsModule {}
