/**
 * Messages the two browsers of a call exchange directly, on the call's RTCDataChannel
 * (`callgate`, pre-negotiated with id 0). The gateway never sees them: chat and media
 * state keep working while signaling is down, and they cost the server nothing.
 */

/** Longest chat message, in characters (UTF-16 code units, as `String.length` counts). */
export const CHAT_MAX_LENGTH = 2000;
/** Largest data-channel message either side accepts (bytes): a chat message plus envelope. */
export const PEER_MESSAGE_MAX_BYTES = 16 * 1024;

/** What this side sends: shown by the other side as words and icons. */
export interface PeerMediaState {
  type: 'media';
  micMuted: boolean;
  /** No camera picture is being sent (turned off, voice call, or no camera). */
  cameraOff: boolean;
  /** The video track is a shared screen. */
  sharingScreen: boolean;
}

export interface PeerChatMessage {
  type: 'chat';
  /** Unique per sender, so a message is shown once. */
  id: string;
  /** Plain text, at most {@link CHAT_MAX_LENGTH} characters; never interpreted as markup. */
  text: string;
  /** Sender's clock, ISO-8601. */
  sentAt: string;
}

export type PeerMessage = PeerMediaState | PeerChatMessage;

/** Parses one data-channel message; `null` for anything malformed or over the limits. */
export function parsePeerMessage(data: unknown): PeerMessage | null {
  if (typeof data !== 'string' || data.length > PEER_MESSAGE_MAX_BYTES) return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  if (m['type'] === 'media') {
    const { micMuted, cameraOff, sharingScreen } = m;
    if (
      typeof micMuted !== 'boolean' ||
      typeof cameraOff !== 'boolean' ||
      typeof sharingScreen !== 'boolean'
    )
      return null;
    return { type: 'media', micMuted, cameraOff, sharingScreen };
  }
  if (m['type'] === 'chat') {
    const { id, text, sentAt } = m;
    if (typeof id !== 'string' || id.length === 0 || id.length > 64) return null;
    if (typeof text !== 'string' || text.length === 0 || text.length > CHAT_MAX_LENGTH) return null;
    if (typeof sentAt !== 'string' || sentAt.length > 40) return null;
    return { type: 'chat', id, text, sentAt };
  }
  return null;
}
