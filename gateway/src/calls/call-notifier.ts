import type { ServerEventName, ServerToClientEvents } from '@callgate/protocol';

export type ServerPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

/**
 * How the call domain reaches people, whichever replica holds their sockets. Implemented
 * by the signaling transport (SignalingEmitter); calls/ never imports signaling/.
 */
export interface CallNotifier {
  /** Every tab of `userId`, optionally except one socket. */
  toUser<E extends ServerEventName>(
    userId: string,
    event: E,
    payload: ServerPayload<E>,
    exceptSocketId?: string,
  ): void;
  /**
   * Every tab of `userId`, known (from presence, read after the transition that sends
   * this) to be all on this replica: sent without the cross-replica adapter.
   */
  toUserHere<E extends ServerEventName>(userId: string, event: E, payload: ServerPayload<E>): void;
  /** One tab. */
  toSocket<E extends ServerEventName>(socketId: string, event: E, payload: ServerPayload<E>): void;
}

export const CALL_NOTIFIER = Symbol('CallNotifier');
