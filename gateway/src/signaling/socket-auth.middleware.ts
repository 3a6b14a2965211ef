import { Logger } from '@nestjs/common';
import {
  type ConnectErrorReason,
  ConnectErrorReason as Reasons,
  type ErrorBody,
} from '@callgate/protocol';
import { AccessTokenError, type AccessTokenService } from '../access-token/access-token.service';
import type { AppConfig } from '../config/app-config';
import { toSummary, type UsersService } from '../users/users.service';
import type { SignalingSocket } from './socket-session';
import { TokenBucket } from './token-bucket';

/** socket.io `connect_error`: `message` is the contract reason, `data` the error body. */
export class ConnectError extends Error {
  constructor(
    reason: ConnectErrorReason,
    readonly data: ErrorBody,
  ) {
    super(reason);
  }
}

/**
 * Handshake authentication (guards do not run at connect): verifies `auth.token`,
 * loads the user once and caches what signaling needs on `socket.data`.
 */
export function createSocketAuthMiddleware(
  tokens: AccessTokenService,
  users: UsersService,
  config: AppConfig,
): (socket: SignalingSocket, next: (error?: Error) => void) => void {
  const logger = new Logger('SignalingAuth');
  return (socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const token =
      typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    tokens
      .verify(token)
      .then(async (claims) => {
        const user = await users.findById(claims.userId);
        if (user === undefined) {
          throw new AccessTokenError('unauthorized', 'This account no longer exists.');
        }
        socket.data.user = toSummary(user);
        socket.data.tokenExpiresAt = claims.expiresAt;
        socket.data.rateLimit = new TokenBucket(
          config.signaling.rateBurst,
          config.signaling.ratePerSecond,
        );
        socket.data.watching = new Set();
        next();
      })
      .catch((error: unknown) => {
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
