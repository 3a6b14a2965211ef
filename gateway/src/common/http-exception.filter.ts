import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { type ApiErrorResponse, ErrorCode } from '@callgate/protocol';
import type { Response } from 'express';
import { MetricsService } from '../metrics/metrics.service';
import { CallgateError } from './callgate-error';
import { codeForStatus, HTTP_STATUS_BY_CODE } from './http-status';

/** Renders every REST failure as `{ statusCode, error: { code, message } }`. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly metrics: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    this.metrics.errors.inc({ transport: 'http', code: body.error.code });
    if (exception instanceof CallgateError) {
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
    if (exception instanceof CallgateError) {
      return { statusCode: HTTP_STATUS_BY_CODE[exception.code], error: exception.body };
    }
    // Nest's and Express's own errors (unknown route, body too large, malformed JSON).
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const message =
        typeof raw === 'object' &&
        raw !== null &&
        'message' in raw &&
        typeof raw.message === 'string'
          ? raw.message
          : exception.message;
      return { statusCode: status, error: { code: codeForStatus(status), message } };
    }
    return {
      statusCode: HTTP_STATUS_BY_CODE[ErrorCode.Internal],
      error: CallgateError.internal().body,
    };
  }
}
