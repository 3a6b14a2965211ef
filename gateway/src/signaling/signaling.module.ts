import { Module } from '@nestjs/common';
import { CALL_NOTIFIER } from '../calls/call-notifier';
import { CALL_SESSION_STORE } from '../calls/call-session.store';
import { CallService } from '../calls/call.service';
import { CallsModule } from '../calls/calls.module';
import { RedisCallSessionStore } from '../calls/redis-call-session.store';
import { PresenceModule } from '../presence/presence.module';
import { TurnModule } from '../turn/turn.module';
import { UsersModule } from '../users/users.module';
import { DirectHandlers } from './direct-handlers';
import { SessionTimers } from './session-timers';
import { SignalingAckFilter } from './signaling-ack.filter';
import { SignalingEmitter } from './signaling-emitter';
import { SignalingGateway } from './signaling.gateway';
import { SignalingGuard } from './signaling.guard';

/**
 * The socket transport, and the place the call domain meets it: CallService (calls/) is
 * provided here with the emitter as its {@link CALL_NOTIFIER}, so calls/ never imports
 * signaling/.
 */
@Module({
  imports: [PresenceModule, UsersModule, TurnModule, CallsModule],
  providers: [
    SignalingGateway,
    CallService,
    SignalingEmitter,
    { provide: CALL_NOTIFIER, useExisting: SignalingEmitter },
    { provide: CALL_SESSION_STORE, useClass: RedisCallSessionStore },
    SessionTimers,
    SignalingGuard,
    SignalingAckFilter,
    DirectHandlers,
  ],
})
export class SignalingModule {}
