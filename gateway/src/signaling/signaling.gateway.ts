import { Inject, Logger, UseFilters, UseGuards } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import {
  type AckOk,
  type ClientPayload,
  MAX_SOCKET_MESSAGE_BYTES,
  SIGNALING_NAMESPACE,
  SIGNALING_PATH,
} from '@callgate/protocol';
import { AccessTokenService } from '../auth/access-token.service';
import { SessionRevocationService } from '../auth/session-revocation.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { UsersService } from '../users/users.service';
import { CallService } from './call.service';
import { PresenceService } from './presence.service';
import { SessionTimers } from './session-timers';
import { SignalingAckFilter } from './signaling-ack.filter';
import { SignalingEmitter, type SignalingNamespace, userRoom } from './signaling-emitter';
import { CallgateError } from '../common/callgate-error';
import { SignalingGuard } from './signaling.guard';
import { SignalingPayloadPipe } from './signaling-payload.pipe';
import { AccountRateLimits } from './account-rate-limits';
import { cutEndedSessions, sessionRoom } from './session-cutter';
import { createSocketAuthMiddleware } from './socket-auth.middleware';
import { identityOf, type SignalingSocket } from './socket-session';

/**
 * socket.io signaling: thin handlers that validate, then delegate to {@link CallService}.
 * Answers go through acks; nothing here touches the database after the handshake.
 */
@WebSocketGateway({
  namespace: SIGNALING_NAMESPACE,
  path: SIGNALING_PATH,
  transports: ['websocket'],
  maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
  serveClient: false,
})
@UseGuards(SignalingGuard)
@UseFilters(SignalingAckFilter)
export class SignalingGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(SignalingGateway.name);
  private readonly rateLimits: AccountRateLimits;

  constructor(
    private readonly calls: CallService,
    private readonly presence: PresenceService,
    private readonly emitter: SignalingEmitter,
    private readonly timers: SessionTimers,
    private readonly tokens: AccessTokenService,
    private readonly users: UsersService,
    private readonly revocations: SessionRevocationService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.rateLimits = new AccountRateLimits(
      config.signaling.rateBurst,
      config.signaling.ratePerSecond,
    );
  }

  afterInit(namespace: SignalingNamespace): void {
    this.emitter.bind(namespace);
    namespace.use(
      createSocketAuthMiddleware(
        this.tokens,
        this.users,
        this.revocations,
        this.config,
        this.rateLimits,
      ),
    );
    cutEndedSessions(namespace, this.revocations);
  }

  async handleConnection(socket: SignalingSocket): Promise<void> {
    const user = socket.data.user;
    // Bookkeeping first and synchronously: a disconnect during an await below then finds
    // everything it has to undo.
    this.metrics.connectedSockets.inc();
    const cameOnline = this.presence.connect(user, socket.id);
    this.timers.start(socket);
    const joined = socket.join([userRoom(user.id), sessionRoom(socket.data.sessionId)]);
    socket.emit('presence:snapshot', { online: this.presence.onlineUserIds() });
    if (cameOnline)
      this.emitter.toEveryone('presence', { userId: user.id, online: true }, socket.id);
    await joined;
    await this.calls.socketConnected(identityOf(socket));
    this.logger.debug(`Socket ${socket.id} connected for user ${user.id}`);
  }

  async handleDisconnect(socket: SignalingSocket): Promise<void> {
    // A socket refused by the middleware never connected and has no user.
    if (socket.data.user === undefined) return;
    const user = socket.data.user;
    this.rateLimits.release(user.id);
    this.timers.stop(socket.id);
    this.metrics.connectedSockets.dec();
    const wentOffline = this.presence.disconnect(user.id, socket.id);
    if (wentOffline) this.emitter.toEveryone('presence', { userId: user.id, online: false });
    await this.calls.socketDisconnected(
      identityOf(socket),
      this.presence.socketIds(user.id).length,
    );
    this.logger.debug(`Socket ${socket.id} of user ${user.id} disconnected`);
  }

  @SubscribeMessage('call:invite')
  invite(
    @ConnectedSocket() socket: SignalingSocket,
    @MessageBody(new SignalingPayloadPipe('call:invite')) body: ClientPayload<'call:invite'>,
  ): Promise<AckOk<{ callId: string }>> {
    return this.calls
      .invite(identityOf(socket), body.to, body.video ?? true)
      .then(({ callId }) => ({ ok: true, callId }));
  }

  @SubscribeMessage('call:accept')
  async accept(
    @ConnectedSocket() socket: SignalingSocket,
    @MessageBody(new SignalingPayloadPipe('call:accept')) body: ClientPayload<'call:accept'>,
  ): Promise<AckOk> {
    await this.calls.accept(identityOf(socket), body.callId, body.hasOffer ?? true);
    return { ok: true };
  }

  @SubscribeMessage('call:decline')
  async decline(
    @ConnectedSocket() socket: SignalingSocket,
    @MessageBody(new SignalingPayloadPipe('call:decline')) body: ClientPayload<'call:decline'>,
  ): Promise<AckOk> {
    await this.calls.decline(identityOf(socket), body.callId);
    return { ok: true };
  }

  @SubscribeMessage('call:hangup')
  async hangup(
    @ConnectedSocket() socket: SignalingSocket,
    @MessageBody(new SignalingPayloadPipe('call:hangup')) body: ClientPayload<'call:hangup'>,
  ): Promise<AckOk> {
    await this.calls.hangup(identityOf(socket), body.callId);
    return { ok: true };
  }

  @SubscribeMessage('signal')
  async signal(
    @ConnectedSocket() socket: SignalingSocket,
    @MessageBody(new SignalingPayloadPipe('signal')) body: ClientPayload<'signal'>,
  ): Promise<AckOk> {
    await this.calls.signal(identityOf(socket), body);
    return { ok: true };
  }

  @SubscribeMessage('call:rejoin')
  async rejoin(
    @ConnectedSocket() socket: SignalingSocket,
    @MessageBody(new SignalingPayloadPipe('call:rejoin')) body: ClientPayload<'call:rejoin'>,
  ): Promise<AckOk> {
    await this.calls.rejoin(identityOf(socket), body.callId);
    return { ok: true };
  }

  @SubscribeMessage('auth:refresh')
  async reauthenticate(
    @ConnectedSocket() socket: SignalingSocket,
    @MessageBody(new SignalingPayloadPipe('auth:refresh')) body: ClientPayload<'auth:refresh'>,
  ): Promise<AckOk<{ expiresAt: string }>> {
    // A refused token answers the ack with its code (unauthorized / token_expired).
    const claims = await this.tokens.verify(body.token);
    if (claims.userId !== socket.data.user.id || claims.sessionId !== socket.data.sessionId) {
      throw CallgateError.forbidden('That token belongs to another session; reconnect.');
    }
    await this.revocations.assertLive(claims);
    socket.data.tokenExpiresAt = claims.expiresAt;
    this.timers.scheduleExpiry(socket);
    return { ok: true, expiresAt: new Date(claims.expiresAt).toISOString() };
  }
}
