import { Logger } from '@nestjs/common';
import {
  ErrorCode,
  type ConnectErrorReason,
  ConnectErrorReason as Reasons,
  type ErrorBody,
} from '@callgate/protocol';
import { AccessTokenError, type AccessTokenService } from '../auth/access-token.service';
import type { SessionRevocationService } from '../auth/session-revocation.service';
import { ApiError } from '../common/api-error';
import type { AppConfig } from '../config/app-config';
import { toSummary, type UsersService } from '../users/users.service';
import type { SignalingSocket } from './socket-session';
import type { AccountRateLimits } from './account-rate-limits';
import { userRoom } from './signaling-emitter';

/** socket.io `connect_error`: `message` is the contract reason, `data` the error body. */
export class ConnectError extends Error {
  constructor(
    reason: ConnectErrorReason,
    readonly data: ErrorBody,
  ) {
    super(reason);
  }
}

function isConnectReason(code: string): code is ConnectErrorReason {
  return (Object.values(Reasons) as string[]).includes(code);
}

/**
 * Handshake authentication (guards do not run at connect): verifies `auth.token`,
 * loads the user once and caches what signaling needs on `socket.data`.
 */
export function createSocketAuthMiddleware(
  tokens: AccessTokenService,
  users: UsersService,
  revocations: SessionRevocationService,
  config: AppConfig,
  rateLimits: AccountRateLimits,
): (socket: SignalingSocket, next: (error?: Error) => void) => void {
  const logger = new Logger('SignalingAuth');
  return (socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const token =
      typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    tokens
      .verify(token)
      .then(async (claims) => {
        await revocations.assertLive(claims);
        const user = await users.findById(claims.userId);
        if (user === undefined) {
          throw new AccessTokenError('unauthorized', 'This account no longer exists.');
        }
        if (user.disabledAt !== null) throw ApiError.accountDisabled();
        // The room spans replicas once the adapter does; simultaneous handshakes may
        // overshoot by the few that race past this check.
        const open = await socket.nsp.in(userRoom(user.id)).fetchSockets();
        if (open.length >= config.maxSocketsPerUser) {
          throw new ApiError(
            429,
            ErrorCode.TooManyConnections,
            `This account already has ${config.maxSocketsPerUser} connections open (the most allowed); close a tab or device and retry.`,
          );
        }
        socket.data.user = toSummary(user);
        socket.data.sessionId = claims.sessionId;
        socket.data.tokenExpiresAt = claims.expiresAt;
        socket.data.rateLimit = rateLimits.acquire(user.id);
        next();
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && isConnectReason(error.code)) {
          next(new ConnectError(error.code, error.body));
          return;
        }
        if (error instanceof AccessTokenError) {
          const reason =
            error.reason === 'token_expired' ? Reasons.TokenExpired : Reasons.Unauthorized;
          next(new ConnectError(reason, { code: reason, message: error.message }));
          return;
        }
        logger.error(`Handshake failed: ${(error as Error).message}`);
        next(
          new ConnectError(Reasons.Unauthorized, {
            code: 'internal',
            message: 'Could not verify the session; retry.',
          }),
        );
      });
  };
}
