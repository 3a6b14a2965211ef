import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { type AckError, type ErrorBody, ErrorCode, isErrorCode } from '@callgate/protocol';
import { ApiError } from '../common/api-error';
import { MetricsService } from '../metrics/metrics.service';
import { isRedisUnavailable, SHARED_STATE_UNAVAILABLE } from '../redis/redis.client';

/**
 * Every failure of a socket handler answers through the client's ack as
 * `{ ok: false, error: { code, message } }`; an unreachable Redis becomes `unavailable`,
 * other unexpected errors `internal`.
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
    if (exception instanceof WsException) {
      const error = exception.getError();
      if (
        typeof error === 'object' &&
        error !== null &&
        'code' in error &&
        isErrorCode(error.code)
      ) {
        return {
          code: error.code,
          message:
            'message' in error && typeof error.message === 'string'
              ? error.message
              : exception.message,
        };
      }
      // Nest's own refusals (e.g. a guard returning false).
      return {
        code: ErrorCode.Forbidden,
        message: typeof error === 'string' ? error : exception.message,
      };
    }
    if (exception instanceof ApiError) return exception.body;
    if (isRedisUnavailable(exception)) {
      this.logger.warn(`Redis unavailable: ${(exception as Error).message}`);
      return { code: ErrorCode.Unavailable, message: SHARED_STATE_UNAVAILABLE };
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return { code: ErrorCode.Internal, message: 'Something went wrong on the server; try again.' };
  }
}
