import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { type AckError, type ErrorBody } from '@callgate/protocol';
import { CallgateError } from '../common/callgate-error';
import { MetricsService } from '../metrics/metrics.service';

/**
 * Every failure of a socket handler answers through the client's ack as
 * `{ ok: false, error: { code, message } }`: a {@link CallgateError}'s body passes through
 * unchanged; unexpected errors become `internal`.
 */
@Catch()
export class SignalingAckFilter implements ExceptionFilter {
  private readonly logger = new Logger('Signaling');

  constructor(private readonly metrics: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = this.toBody(exception);
    this.metrics.errors.inc({ transport: 'ws', code: body.code });
    const ack = host
      .getArgs()
      .find((arg): arg is (response: AckError) => void => typeof arg === 'function');
    ack?.({ ok: false, error: body });
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof CallgateError) return exception.body;
    // Nest's own refusal when a guard returns false (ours throw CallgateError instead).
    if (exception instanceof WsException) {
      return CallgateError.forbidden('This request is not allowed on this connection.').body;
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return CallgateError.internal().body;
  }
}
