/** Validation limits both sides enforce; the gateway is the authority. */
export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/;
export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 32;
export const DISPLAY_NAME_MAX_LENGTH = 64;
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** Largest SDP accepted in a `signal` (bytes, UTF-8). */
export const MAX_SDP_BYTES = 64 * 1024;
/** Largest ICE candidate string accepted in a `signal` (bytes, UTF-8). */
export const MAX_CANDIDATE_BYTES = 1024;
/** socket.io `maxHttpBufferSize`: one SDP plus envelope, with margin. */
export const MAX_SOCKET_MESSAGE_BYTES = 100 * 1024;

/** socket.io path and namespace of the signaling gateway. */
export const SIGNALING_PATH = '/socket.io';
export const SIGNALING_NAMESPACE = '/signaling';

/**
 * Characters refused in usernames, display names and other names people see: C0/C1
 * controls (NUL included), line/paragraph separators, the BOM and the bidirectional
 * marks, embeddings, overrides and isolates that can make a name read as another one.
 */
export const UNSAFE_TEXT_PATTERN =
  /[\p{Cc}\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/u;
