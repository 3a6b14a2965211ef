/**
 * Error codes that cross the gateway/client boundary, on socket acks and in REST
 * error bodies. One list, so both sides can switch on them exhaustively.
 */
export const ErrorCode = {
  InvalidPayload: 'invalid_payload',
  Unauthorized: 'unauthorized',
  TokenExpired: 'token_expired',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  RateLimited: 'rate_limited',
  Conflict: 'conflict',
  /** A socket event the gateway does not handle (an old or a newer client, or a typo). */
  UnknownEvent: 'unknown_event',
  /** An admin disabled the account: sign-in, refresh, sockets and TURN are refused. */
  AccountDisabled: 'account_disabled',
  /** The session was ended (sign-out, sign out everywhere, password change, revocation). */
  SessionRevoked: 'session_revoked',
  /** The account already has the maximum number of signaling connections open. */
  TooManyConnections: 'too_many_connections',
  Internal: 'internal',
  /** A shared dependency (Redis) is unreachable: retry later; live media is unaffected. */
  Unavailable: 'unavailable',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_CODES: readonly ErrorCode[] = Object.values(ErrorCode);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** The error half of every ack and the `error` member of every REST error body. */
export interface ErrorBody {
  code: ErrorCode;
  /** A sentence a person can act on. */
  message: string;
}

/** REST error responses: `{ error: { code, message } }` with the HTTP status. */
export interface ApiErrorResponse {
  statusCode: number;
  error: ErrorBody;
}

export type AckOk<T extends object = object> = { ok: true } & T;
export interface AckError {
  ok: false;
  error: ErrorBody;
}
/** What every client→server socket event answers through its ack callback. */
export type Ack<T extends object = object> = AckOk<T> | AckError;

/** Reasons the server gives in `connect_error` (the Error's `message`). */
export const ConnectErrorReason = {
  Unauthorized: 'unauthorized',
  TokenExpired: 'token_expired',
  AccountDisabled: 'account_disabled',
  SessionRevoked: 'session_revoked',
  TooManyConnections: 'too_many_connections',
  /**
   * The server could not check the session just now (its database or Redis failed): not a
   * verdict on the session, so the page keeps it and reconnects with backoff.
   */
  Unavailable: 'unavailable',
} as const;
export type ConnectErrorReason = (typeof ConnectErrorReason)[keyof typeof ConnectErrorReason];
