import { Inject, Logger, type OnModuleDestroy, UseFilters, UseGuards } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Subscription } from 'rxjs';
import {
  type AckOk,
  type ClientPayload,
  MAX_SOCKET_MESSAGE_BYTES,
  PRESENCE_WATCH_MAX_IDS,
  SIGNALING_NAMESPACE,
  SIGNALING_PATH,
} from '@callgate/protocol';
import { AccessTokenService } from '../access-token/access-token.service';
import { SessionRevocationService } from '../access-token/session-revocation.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { UsersService } from '../users/users.service';
import { CallService } from '../calls/call.service';
import { PresenceService, type ReapedSocket } from '../presence/presence.service';
import { SessionTimers } from './session-timers';
import { SignalingAckFilter } from './signaling-ack.filter';
import {
  SignalingEmitter,
  type SignalingNamespace,
  userRoom,
  watchersRoom,
} from './signaling-emitter';
import { CallgateError } from '../common/callgate-error';
import { DirectHandlers } from './direct-handlers';
import { SignalingGuard } from './signaling.guard';
import { SignalingPayloadPipe } from './signaling-payload.pipe';
import { AccountRateLimits } from './account-rate-limits';
import { cutEndedSessions, sessionRoom } from './session-cutter';
import { createSocketAuthMiddleware } from './socket-auth.middleware';
import { identityOf, type SignalingSocket } from './socket-session';

/**
 * socket.io signaling: thin handlers that validate, then delegate to {@link CallService}
 * and {@link PresenceService}. Answers go through acks; nothing here touches the database
 * after the handshake.
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
export class SignalingGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy
{
  private readonly logger = new Logger(SignalingGateway.name);
  private readonly rateLimits: AccountRateLimits;
  private reaping: Subscription | undefined;

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
    private readonly guard: SignalingGuard,
    private readonly ackFilter: SignalingAckFilter,
    direct: DirectHandlers,
  ) {
    this.rateLimits = new AccountRateLimits(
      config.signaling.rateBurst,
      config.signaling.ratePerSecond,
    );
    this.bindDirect(direct);
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
        (userId) => this.presence.connectionCount(userId),
      ),
    );
    cutEndedSessions(namespace, this.revocations);
    this.reaping = this.presence.reaped$.subscribe((sockets) => this.onReaped(sockets));
  }

  onModuleDestroy(): void {
    this.reaping?.unsubscribe();
  }

  async handleConnection(socket: SignalingSocket): Promise<void> {
    const user = socket.data.user;
    // Bookkeeping first and synchronously: a disconnect during an await below then finds
    // everything it has to undo.
    this.metrics.connectedSockets.inc();
    this.timers.start(socket);
    const joined = socket.join([userRoom(user.id), sessionRoom(socket.data.sessionId)]);
    const registered = this.presence.connect(user, socket.id);
    socket.data.registered = registered;
    try {
      if (await registered) this.emitter.presenceChanged(user.id, true);
      await joined;
      await this.calls.socketConnected(identityOf(socket));
      this.logger.debug(`Socket ${socket.id} connected for user ${user.id}`);
    } catch (error) {
      // Without its presence record nobody could call this socket: let the client
      // reconnect (with back-off) once Redis answers again. Live media is not affected.
      this.logger.warn(`Socket ${socket.id} refused, Redis failed: ${(error as Error).message}`);
      socket.disconnect(true);
    }
  }

  async handleDisconnect(socket: SignalingSocket): Promise<void> {
    // A socket refused by the middleware never connected and has no user.
    if (socket.data.user === undefined) return;
    const user = socket.data.user;
    this.rateLimits.release(user.id);
    this.timers.stop(socket.id);
    this.metrics.connectedSockets.dec();
    const registered = await socket.data.registered?.then(
      () => true,
      () => false,
    );
    if (registered !== true) return;
    try {
      const left = await this.presence.disconnect(user.id, socket.id);
      if (left === 0) this.emitter.presenceChanged(user.id, false);
      await this.calls.socketDisconnected(identityOf(socket), left);
      this.logger.debug(`Socket ${socket.id} of user ${user.id} disconnected`);
    } catch (error) {
      this.logger.warn(`Disconnect of ${socket.id} not recorded: ${(error as Error).message}`);
    }
  }

  /** Sockets of a replica that died: presence and calls as if they had disconnected. */
  private onReaped(sockets: ReapedSocket[]): void {
    for (const reaped of sockets) {
      if (reaped.socketsLeft === 0) this.emitter.presenceChanged(reaped.userId, false);
      this.calls
        .socketDisconnected(reaped, reaped.socketsLeft, reaped.newestSocketId)
        .catch((error: unknown) =>
          this.logger.warn(`Reaped socket ${reaped.socketId}: ${(error as Error).message}`),
        );
    }
  }

  /**
   * Presence of the people the page shows. Rooms are joined before the look-up, so a
   * change in between arrives as an event rather than being missed.
   */
  @SubscribeMessage('presence:subscribe')
  async subscribePresence(
    @ConnectedSocket() socket: SignalingSocket,
    @MessageBody(new SignalingPayloadPipe('presence:subscribe'))
    body: ClientPayload<'presence:subscribe'>,
  ): Promise<AckOk<{ online: string[] }>> {
    const watching = socket.data.watching;
    const fresh = [...new Set(body.userIds)].filter((id) => !watching.has(id));
    if (watching.size + fresh.length > PRESENCE_WATCH_MAX_IDS) {
      throw CallgateError.invalidPayload(
        `A page may watch at most ${PRESENCE_WATCH_MAX_IDS} people; unsubscribe some first.`,
      );
    }
    for (const id of fresh) watching.add(id);
    await socket.join(fresh.map(watchersRoom));
    return { ok: true, online: await this.presence.onlineAmong(body.userIds) };
  }

  @SubscribeMessage('presence:unsubscribe')
  async unsubscribePresence(
    @ConnectedSocket() socket: SignalingSocket,
    @MessageBody(new SignalingPayloadPipe('presence:unsubscribe'))
    body: ClientPayload<'presence:unsubscribe'>,
  ): Promise<AckOk> {
    for (const id of body.userIds) {
      if (socket.data.watching.delete(id)) await socket.leave(watchersRoom(id));
    }
    return { ok: true };
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
    await this.calls.accept(identityOf(socket), body.callId, {
      hasOffer: body.hasOffer ?? true,
      ...(body.answer === undefined ? {} : { answer: body.answer }),
    });
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

  /**
   * Binds the call set-up events as {@link DirectHandlers}: the same guard, payload check,
   * handler and ack filter as Nest's pipeline runs for the decorated methods above, called
   * without it. Other events (presence, rejoin, auth:refresh) stay on Nest's path.
   */
  private bindDirect(direct: DirectHandlers): void {
    const checks = { guard: this.guard, filter: this.ackFilter };
    direct.bind('signal', checks, (socket, body) => this.signal(socket, body));
    direct.bind('call:invite', checks, (socket, body) => this.invite(socket, body));
    direct.bind('call:accept', checks, (socket, body) => this.accept(socket, body));
    direct.bind('call:decline', checks, (socket, body) => this.decline(socket, body));
    direct.bind('call:hangup', checks, (socket, body) => this.hangup(socket, body));
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
