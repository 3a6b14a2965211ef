import { HttpErrorResponse } from '@angular/common/http';
import { type ApiErrorResponse, type ErrorBody, ErrorCode, isErrorCode } from '@callgate/protocol';

/**
 * An error that crossed the gateway boundary, with the contract's code and a readable
 * sentence: a REST error response ({@link toCallgateError}), a refused socket ack, or a
 * request the gateway did not answer (`SignalingClient.request`). One type, so callers
 * show `message` and switch on `code` without knowing the transport.
 */
export class CallgateError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CallgateError';
  }

  static fromBody(body: ErrorBody, cause?: unknown): CallgateError {
    return new CallgateError(body.code, body.message, { cause });
  }

  /** The gateway could not be reached or did not answer: nothing was refused, retry. */
  static unreachable(message: string, cause?: unknown): CallgateError {
    return new CallgateError(ErrorCode.Internal, message, { cause });
  }
}

function isApiErrorResponse(value: unknown): value is ApiErrorResponse {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error: unknown = value.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    isErrorCode(error.code) &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

/** Turns anything an HTTP call can throw into a {@link CallgateError} a person can read. */
export function toCallgateError(error: unknown): CallgateError {
  if (error instanceof CallgateError) return error;
  if (error instanceof HttpErrorResponse) {
    if (isApiErrorResponse(error.error)) return CallgateError.fromBody(error.error.error, error);
    if (error.status === 0) {
      return CallgateError.unreachable(
        'The server cannot be reached. Check your connection and try again.',
        error,
      );
    }
    if (error.status === 401) {
      return new CallgateError(ErrorCode.Unauthorized, 'Please sign in again.', { cause: error });
    }
    if (error.status === 429) {
      return new CallgateError(
        ErrorCode.RateLimited,
        'Too many attempts. Wait a minute and try again.',
        {
          cause: error,
        },
      );
    }
    return new CallgateError(
      ErrorCode.Internal,
      `The server answered with an error (HTTP ${error.status}). Try again in a moment.`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  return new CallgateError(ErrorCode.Internal, message, { cause: error });
}
