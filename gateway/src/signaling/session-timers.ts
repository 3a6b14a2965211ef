import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { TurnCredentialService } from '../turn/turn-credential.service';
import type { SignalingSocket } from './socket-session';

interface Timers {
  turnRefresh?: NodeJS.Timeout;
  expiryWarning?: NodeJS.Timeout;
  expiry?: NodeJS.Timeout;
}

/**
 * Per-socket clocks: pushes fresh TURN credentials before half their lifetime has passed,
 * warns with `auth:expiring` before the access token runs out and disconnects at expiry
 * unless `auth:refresh` moved it.
 */
@Injectable()
export class SessionTimers implements OnModuleDestroy {
  private readonly logger = new Logger(SessionTimers.name);
  private readonly timers = new Map<string, Timers>();

  constructor(
    private readonly turn: TurnCredentialService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(socket: SignalingSocket): void {
    this.timers.set(socket.id, {});
    this.pushTurnCredentials(socket);
    // 40 % of the lifetime: comfortably before half of it has passed.
    const every = Math.floor(this.turn.ttlSeconds * 1000 * 0.4);
    this.entry(socket.id).turnRefresh = setInterval(() => this.pushTurnCredentials(socket), every);
    this.scheduleExpiry(socket);
  }

  /** (Re)arms the expiry warning and cut-off from `socket.data.tokenExpiresAt`. */
  scheduleExpiry(socket: SignalingSocket): void {
    const entry = this.entry(socket.id);
    clearTimeout(entry.expiryWarning);
    clearTimeout(entry.expiry);
    const expiresAt = socket.data.tokenExpiresAt;
    const remaining = expiresAt - Date.now();
    const warnIn = Math.max(0, remaining - this.config.signaling.expiryWarningMs);
    entry.expiryWarning = setTimeout(() => {
      socket.emit('auth:expiring', { expiresAt: new Date(expiresAt).toISOString() });
    }, warnIn);
    entry.expiry = setTimeout(
      () => {
        this.logger.log(
          `Access token of user ${socket.data.user.id} expired; disconnecting socket ${socket.id}`,
        );
        socket.disconnect(true);
      },
      Math.max(0, remaining),
    );
  }

  stop(socketId: string): void {
    const entry = this.timers.get(socketId);
    if (entry === undefined) return;
    clearInterval(entry.turnRefresh);
    clearTimeout(entry.expiryWarning);
    clearTimeout(entry.expiry);
    this.timers.delete(socketId);
  }

  onModuleDestroy(): void {
    for (const socketId of [...this.timers.keys()]) this.stop(socketId);
  }

  private pushTurnCredentials(socket: SignalingSocket): void {
    socket.emit('turn:credentials', this.turn.issue(socket.data.user.id, 'socket'));
  }

  private entry(socketId: string): Timers {
    let entry = this.timers.get(socketId);
    if (entry === undefined) {
      entry = {};
      this.timers.set(socketId, entry);
    }
    return entry;
  }
}
