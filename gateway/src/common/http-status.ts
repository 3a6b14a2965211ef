import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '@callgate/protocol';

/**
 * The one code → HTTP status table for REST. A `Record` over every code, so a code added
 * to the contract does not compile until it has a status here.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, HttpStatus>> = {
  [ErrorCode.InvalidPayload]: HttpStatus.BAD_REQUEST,
  [ErrorCode.Unauthorized]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.TokenExpired]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.Conflict]: HttpStatus.CONFLICT,
  // Socket events only (an event no handler knows); as REST it would be an unknown route.
  [ErrorCode.UnknownEvent]: HttpStatus.NOT_FOUND,
  [ErrorCode.AccountDisabled]: HttpStatus.FORBIDDEN,
  [ErrorCode.SessionRevoked]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.TooManyConnections]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
};

/**
 * The other direction, only for Nest's and Express's own HTTP errors (an unknown route,
 * a body over the size limit, malformed JSON), which carry a status but no contract code.
 */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 413:
    case 415:
    case 422:
      return ErrorCode.InvalidPayload;
    case 401:
      return ErrorCode.Unauthorized;
    case 403:
      return ErrorCode.Forbidden;
    case 404:
    case 405:
      return ErrorCode.NotFound;
    case 409:
      return ErrorCode.Conflict;
    case 429:
      return ErrorCode.RateLimited;
    default:
      return ErrorCode.Internal;
  }
}
