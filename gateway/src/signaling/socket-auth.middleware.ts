import { Logger } from '@nestjs/common';
import {
  ErrorCode,
  type ConnectErrorReason,
  ConnectErrorReason as Reasons,
  type ErrorBody,
} from '@callgate/protocol';
import type { AccessTokenService } from '../access-token/access-token.service';
import type { SessionRevocationService } from '../access-token/session-revocation.service';
import { CallgateError } from '../common/callgate-error';
import type { AppConfig } from '../config/app-config';
import { toSummary, type UsersService } from '../users/users.service';
import type { SignalingSocket } from './socket-session';
import type { AccountRateLimits } from './account-rate-limits';

/** What socket.io sends as `connect_error`: `message` is the contract reason, `data` the body. */
export type ConnectErrorWire = Error & { data: ErrorBody };

const REASONS: readonly string[] = Object.values(Reasons);
/** Failures of the server, not of the token: never a reason to sign the page out. */
const SERVER_FAULTS: readonly string[] = [ErrorCode.Internal, ErrorCode.Unavailable];

/**
 * The handshake's form of a {@link CallgateError}: expiry (refresh and retry), an ended
 * session or disabled account (signed out, say why), the socket cap (wait), a server fault
 * (reconnect later), else sign in.
 */
export function toConnectError(error: CallgateError): ConnectErrorWire {
  const reason: ConnectErrorReason = REASONS.includes(error.code)
    ? (error.code as ConnectErrorReason)
    : SERVER_FAULTS.includes(error.code)
      ? Reasons.Unavailable
      : Reasons.Unauthorized;
  return Object.assign(new Error(reason), { data: error.body });
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
  /** Open sockets of an account on every replica (presence in Redis). */
  countConnections: (userId: string) => Promise<number>,
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
          throw CallgateError.unauthorized('This account no longer exists.');
        }
        if (user.disabledAt !== null) throw CallgateError.accountDisabled();
        // Counted in Redis across replicas (a cross-replica fetchSockets would serialise
        // socket.data, and wait for dead replicas); simultaneous handshakes may overshoot
        // by the few that race past this check.
        const open = await countConnections(user.id);
        if (open >= config.maxSocketsPerUser) {
          throw new CallgateError(
            ErrorCode.TooManyConnections,
            `This account already has ${config.maxSocketsPerUser} connections open (the most allowed); close a tab or device and retry.`,
          );
        }
        socket.data.user = toSummary(user);
        socket.data.sessionId = claims.sessionId;
        socket.data.tokenExpiresAt = claims.expiresAt;
        socket.data.rateLimit = rateLimits.acquire(user.id);
        socket.data.watching = new Set();
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
