import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { type AckError, type ErrorBody } from '@callgate/protocol';
import { CallgateError } from '../common/callgate-error';
import { MetricsService } from '../metrics/metrics.service';
import { isRedisUnavailable } from '../redis/redis.client';

/**
 * Every failure of a socket handler answers through the client's ack as
 * `{ ok: false, error: { code, message } }`: a {@link CallgateError}'s body passes through
 * unchanged; an unreachable Redis becomes `unavailable`, other unexpected errors `internal`.
 */
@Catch()
export class SignalingAckFilter implements ExceptionFilter {
  private readonly logger = new Logger('Signaling');

  constructor(private readonly metrics: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    this.answer(
      exception,
      host.getArgs().find((arg) => typeof arg === 'function'),
    );
  }

  /** Answers `ack` (when the client sent one) with the exception's error body. */
  answer(exception: unknown, ack: unknown): void {
    const body = this.toBody(exception);
    this.metrics.errors.inc({ transport: 'ws', code: body.code });
    if (typeof ack === 'function')
      (ack as (response: AckError) => void)({ ok: false, error: body });
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof CallgateError) return exception.body;
    // Nest's own refusal when a guard returns false (ours throw CallgateError instead).
    if (exception instanceof WsException) {
      return CallgateError.forbidden('This request is not allowed on this connection.').body;
    }
    if (isRedisUnavailable(exception)) {
      this.logger.warn(`Redis unavailable: ${(exception as Error).message}`);
      return CallgateError.unavailable().body;
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return CallgateError.internal().body;
  }
}
