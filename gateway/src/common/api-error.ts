import { HttpException, HttpStatus } from '@nestjs/common';
import {
  type ApiErrorResponse,
  type ErrorBody,
  type ErrorCode,
  ErrorCode as Codes,
} from '@callgate/protocol';

/** A REST error with a contract error code; rendered as {@link ApiErrorResponse}. */
export class ApiError extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super({ statusCode: status, error: { code, message } } satisfies ApiErrorResponse, status);
    this.body = { code, message };
  }

  /** The `{ code, message }` a client sees. */
  readonly body: ErrorBody;

  static invalidPayload(message: string): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, Codes.InvalidPayload, message);
  }

  static unauthorized(message: string): ApiError {
    return new ApiError(HttpStatus.UNAUTHORIZED, Codes.Unauthorized, message);
  }

  static tokenExpired(): ApiError {
    return new ApiError(
      HttpStatus.UNAUTHORIZED,
      Codes.TokenExpired,
      'Your access token has expired; refresh it.',
    );
  }

  static notFound(message: string): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, Codes.NotFound, message);
  }

  static conflict(message: string): ApiError {
    return new ApiError(HttpStatus.CONFLICT, Codes.Conflict, message);
  }
}

/** Maps an HTTP status without a contract code to the closest one. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 413:
    case 415:
    case 422:
      return Codes.InvalidPayload;
    case 401:
      return Codes.Unauthorized;
    case 403:
      return Codes.Forbidden;
    case 404:
    case 405:
      return Codes.NotFound;
    case 409:
      return Codes.Conflict;
    case 429:
      return Codes.RateLimited;
    case 503:
      return Codes.Unavailable;
    default:
      return Codes.Internal;
  }
}
