import { Logger } from '@nestjs/common';
import {
  type ConnectErrorReason,
  ConnectErrorReason as Reasons,
  type ErrorBody,
} from '@callgate/protocol';
import type { AccessTokenService } from '../auth/access-token.service';
import { CallgateError } from '../common/callgate-error';
import type { AppConfig } from '../config/app-config';
import { toSummary, type UsersService } from '../users/users.service';
import type { SignalingSocket } from './socket-session';
import { TokenBucket } from './token-bucket';

/** What socket.io sends as `connect_error`: `message` is the contract reason, `data` the body. */
export type ConnectErrorWire = Error & { data: ErrorBody };

/** The handshake's form of a {@link CallgateError}; anything but expiry means sign in again. */
export function toConnectError(error: CallgateError): ConnectErrorWire {
  const reason: ConnectErrorReason =
    error.code === 'token_expired' ? Reasons.TokenExpired : Reasons.Unauthorized;
  return Object.assign(new Error(reason), { data: error.body });
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
          throw CallgateError.unauthorized('This account no longer exists.');
        }
        socket.data.user = toSummary(user);
        socket.data.tokenExpiresAt = claims.expiresAt;
        socket.data.rateLimit = new TokenBucket(
          config.signaling.rateBurst,
          config.signaling.ratePerSecond,
        );
        next();
      })
      .catch((error: unknown) => {
        if (error instanceof CallgateError) {
          next(toConnectError(error));
          return;
        }
        logger.error(`Handshake failed: ${error instanceof Error ? error.message : String(error)}`);
        next(toConnectError(CallgateError.internal('Could not verify the session; retry.')));
      });
  };
}
