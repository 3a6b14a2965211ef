import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type ClientEventName, ErrorCode } from '@callgate/protocol';
import { MetricsService } from '../metrics/metrics.service';
import { CallgateError } from '../common/callgate-error';
import type { SignalingSocket } from './socket-session';

/**
 * Runs before every socket handler: counts the message, applies the per-socket token
 * bucket (`rate_limited`) and refuses sockets whose access token has run out.
 */
@Injectable()
export class SignalingGuard implements CanActivate {
  constructor(private readonly metrics: MetricsService) {}

  canActivate(context: ExecutionContext): boolean {
    const ws = context.switchToWs();
    this.check(ws.getClient<SignalingSocket>(), ws.getPattern() as ClientEventName);
    return true;
  }

  /** The checks themselves, for handlers that run outside Nest's pipeline (DirectHandlers). */
  check(socket: SignalingSocket, event: ClientEventName): void {
    this.metrics.signalingMessages.inc({ event });
    if (!socket.data.rateLimit.take()) {
      throw new CallgateError(ErrorCode.RateLimited, 'Too many messages; slow down.');
    }
    if (event !== 'auth:refresh' && socket.data.tokenExpiresAt <= Date.now()) {
      throw new CallgateError(
        ErrorCode.TokenExpired,
        'Your access token has expired; send auth:refresh.',
      );
    }
  }
}
