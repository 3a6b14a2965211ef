import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module';
import { TurnModule } from '../turn/turn.module';
import { UsersModule } from '../users/users.module';
import { CALL_SESSION_STORE } from './call-session.store';
import { CallService } from './call.service';
import { InMemoryCallSessionStore } from './in-memory-call-session.store';
import { PresenceModule } from './presence.module';
import { SessionTimers } from './session-timers';
import { SignalingAckFilter } from './signaling-ack.filter';
import { SignalingEmitter } from './signaling-emitter';
import { SignalingGateway } from './signaling.gateway';
import { SignalingGuard } from './signaling.guard';

@Module({
  imports: [PresenceModule, UsersModule, TurnModule, CallsModule],
  providers: [
    SignalingGateway,
    CallService,
    SignalingEmitter,
    SessionTimers,
    SignalingGuard,
    SignalingAckFilter,
    { provide: CALL_SESSION_STORE, useClass: InMemoryCallSessionStore },
  ],
})
export class SignalingModule {}
