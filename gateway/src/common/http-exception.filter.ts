import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { type ApiErrorResponse, ErrorCode, isErrorCode } from '@callgate/protocol';
import type { Response } from 'express';
import { MetricsService } from '../metrics/metrics.service';
import { isRedisUnavailable, SHARED_STATE_UNAVAILABLE } from '../redis/redis.client';
import { ApiError, codeForStatus } from './api-error';

/** Renders every REST failure as `{ statusCode, error: { code, message } }`. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly metrics: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    this.metrics.errors.inc({ transport: 'http', code: body.error.code });
    if (exception instanceof ApiError) {
      for (const [name, value] of Object.entries(exception.headers))
        response.setHeader(name, value);
    }
    if (body.statusCode >= 500) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ApiErrorResponse {
    if (exception instanceof ApiError) return exception.getResponse() as ApiErrorResponse;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const message =
        typeof raw === 'object' && raw !== null && 'message' in raw
          ? String(raw.message)
          : exception.message;
      const code =
        typeof raw === 'object' && raw !== null && 'code' in raw && isErrorCode(raw.code)
          ? raw.code
          : codeForStatus(status);
      return { statusCode: status, error: { code, message } };
    }
    if (isRedisUnavailable(exception)) {
      return {
        statusCode: 503,
        error: { code: ErrorCode.Unavailable, message: SHARED_STATE_UNAVAILABLE },
      };
    }
    return {
      statusCode: 500,
      error: {
        code: ErrorCode.Internal,
        message: 'Something went wrong on the server; try again.',
      },
    };
  }
}
