import { type ErrorBody, ErrorCode } from '@callgate/protocol';

/**
 * The gateway's one refusal: a contract code and a sentence a person can act on. Thrown by
 * services, guards and pipes on every transport; only the filters know the transport:
 * REST maps the code to a status ({@link HTTP_STATUS_BY_CODE}), socket acks carry
 * {@link body} as is, the handshake middleware turns it into a `connect_error`.
 */
export class CallgateError extends Error {
  override readonly name = 'CallgateError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra REST response headers, e.g. `Retry-After`; sockets ignore them. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The `{ code, message }` a client sees, on every transport. */
  get body(): ErrorBody {
    return { code: this.code, message: this.message };
  }

  static invalidPayload(message: string): CallgateError {
    return new CallgateError(ErrorCode.InvalidPayload, message);
  }

  static unauthorized(message: string): CallgateError {
    return new CallgateError(ErrorCode.Unauthorized, message);
  }

  static tokenExpired(message = 'Your access token has expired; refresh it.'): CallgateError {
    return new CallgateError(ErrorCode.TokenExpired, message);
  }

  static forbidden(message: string): CallgateError {
    return new CallgateError(ErrorCode.Forbidden, message);
  }

  static notFound(message: string): CallgateError {
    return new CallgateError(ErrorCode.NotFound, message);
  }

  static accountDisabled(
    message = 'An administrator has disabled this account; ask them to enable it.',
  ): CallgateError {
    return new CallgateError(ErrorCode.AccountDisabled, message);
  }

  static sessionRevoked(message = 'This session was signed out; sign in again.'): CallgateError {
    return new CallgateError(ErrorCode.SessionRevoked, message);
  }

  static conflict(message: string): CallgateError {
    return new CallgateError(ErrorCode.Conflict, message);
  }

  static rateLimited(message: string, headers: Record<string, string> = {}): CallgateError {
    return new CallgateError(ErrorCode.RateLimited, message, headers);
  }

  static internal(message = 'Something went wrong on the server; try again.'): CallgateError {
    return new CallgateError(ErrorCode.Internal, message);
  }
}
