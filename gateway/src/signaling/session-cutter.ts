import { Logger } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { SessionRevocationService } from '../auth/session-revocation.service';
import { type SignalingNamespace, userRoom } from './signaling-emitter';

/** Room every socket of one session (refresh family) joins. */
export function sessionRoom(sessionId: string): string {
  return `session:${sessionId}`;
}

/**
 * Cuts this replica's sockets of every session that ended (sign-out, revocation, password
 * change) or account that was disabled, telling each page why first. Every replica hears
 * the same announcement, so each cuts only its own sockets (`local`).
 */
export function cutEndedSessions(
  namespace: SignalingNamespace,
  revocations: SessionRevocationService,
): Subscription {
  const logger = new Logger('SessionCutter');
  return revocations.ended$.subscribe((ended) => {
    const rooms = ended.sessionIds.map(sessionRoom);
    if (ended.userId !== undefined) rooms.push(userRoom(ended.userId));
    if (rooms.length === 0) return;
    const targets = namespace.local.in(rooms);
    targets.emit('session:ended', ended.notice);
    // true: close the connection, so the tab cannot keep a half-open namespace.
    targets.disconnectSockets(true);
    logger.log(`Cut sockets of ${rooms.length} ended session room(s) (${ended.notice.code})`);
  });
}
