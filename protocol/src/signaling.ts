import type { Ack } from './errors.js';
import type { CallEndReason, CallPhase, CallRole } from './calls.js';
import type { TurnCredentials } from './turn.js';
import type { UserSummary } from './users.js';

/** RTCSessionDescriptionInit without DOM types, so the gateway can share it. */
export interface SessionDescriptionPayload {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

/** RTCIceCandidateInit without DOM types. */
export interface IceCandidatePayload {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** Socket handshake: `io(url, { auth: { token } })`. */
export interface SignalingHandshakeAuth {
  token: string;
}

// Client → server payloads
export interface CallInvitePayload {
  /** User id of the person to call. */
  to: string;
  /**
   * `false` for a voice call: neither side opens a camera at first (either may add video
   * later). Absent means a video call.
   */
  video?: boolean;
}
export interface CallIdPayload {
  callId: string;
}
export interface CallAcceptPayload extends CallIdPayload {
  /**
   * The accepting tab already holds the caller's offer (sent while it rang). `false`
   * (a tab that opened after the offer went out) makes the gateway ask the caller to send
   * its offer and candidates again (`CallAccepted.resendOffer`).
   */
  hasOffer?: boolean;
  /**
   * The accepting tab's answer to that offer (made while it rang, sent at the click). The
   * gateway hands it to the caller inside `call:accepted` and again right after it as a
   * `signal` from the callee, so the answer waits neither for this request's
   * acknowledgement nor for a second trip.
   */
  answer?: SessionDescriptionPayload;
}
export interface SignalPayload {
  callId: string;
  description?: SessionDescriptionPayload;
  /** `null` is end-of-candidates. */
  candidate?: IceCandidatePayload | null;
}
export interface ReauthenticatePayload {
  token: string;
}

/**
 * `presence:subscribe` / `presence:unsubscribe`: the people a page shows (search results,
 * recent calls). A socket hears `presence` only for the ids it subscribed to.
 */
export interface PresenceSubscribePayload {
  userIds: string[];
}

// Server → client payloads
export interface PresenceChange {
  userId: string;
  online: boolean;
}
export interface CallIncoming {
  callId: string;
  from: UserSummary;
  /** `false` when the caller started a voice call. */
  video: boolean;
}
export interface CallAccepted {
  callId: string;
  /**
   * The receiver's role in this call. Usually what the tab expects, but when two people
   * invite each other at the same moment the second inviter is answered as `callee`.
   */
  role?: CallRole;
  /** To the caller: the accepting tab missed the offer sent while ringing; send it again. */
  resendOffer?: boolean;
  /**
   * To the caller: the callee's answer (`CallAcceptPayload.answer`), so the caller applies
   * it in the same message that says the call is answered, before its page switches to
   * the call view. The same answer still follows as a `signal` from the callee for tabs
   * that predate this field; a tab that applied this one ignores that copy.
   */
  answer?: SessionDescriptionPayload;
}
export interface CallEnded {
  callId: string;
  reason: CallEndReason;
}
export interface SignalRelayed extends SignalPayload {
  /** User id of the sender. */
  from: string;
}
/** Sent after (re)connect when the user is still in a call, so a tab can resume it. */
export interface CallResume {
  callId: string;
  peer: UserSummary;
  role: CallRole;
  phase: CallPhase;
  /** `false` when the call started as a voice call. */
  video: boolean;
}
/**
 * The other member's tab was reloaded (or replaced) and came back with a fresh peer
 * connection: drop yours and negotiate a new one, keeping your camera and microphone.
 */
export interface CallPeerRejoined {
  callId: string;
}
export interface SessionExpiring {
  /** ISO-8601 instant at which the server disconnects unless `auth:refresh` arrives. */
  expiresAt: string;
}

/**
 * Sent just before the server cuts a socket because its session ended (sign-out elsewhere,
 * revocation, password change) or an admin disabled the account; the page says why.
 */
export interface SessionEnded {
  code: 'session_revoked' | 'account_disabled';
  message: string;
}

export type InviteAck = Ack<{ callId: string }>;
/** Which of the subscribed ids are online right now; changes follow as `presence`. */
export type PresenceSubscribeAck = Ack<{ online: string[] }>;
export type EmptyAck = Ack;
export type ReauthenticateAck = Ack<{ expiresAt: string }>;

/** Events the client emits; every one takes an ack. */
export interface ClientToServerEvents {
  'call:invite': (payload: CallInvitePayload, ack: (res: InviteAck) => void) => void;
  'call:accept': (payload: CallAcceptPayload, ack: (res: EmptyAck) => void) => void;
  'call:decline': (payload: CallIdPayload, ack: (res: EmptyAck) => void) => void;
  'call:hangup': (payload: CallIdPayload, ack: (res: EmptyAck) => void) => void;
  signal: (payload: SignalPayload, ack: (res: EmptyAck) => void) => void;
  /**
   * This tab picks up an active call it had lost (page reload) with a fresh peer
   * connection; the other member receives `call:peer-rejoined`.
   */
  'call:rejoin': (payload: CallIdPayload, ack: (res: EmptyAck) => void) => void;
  'presence:subscribe': (
    payload: PresenceSubscribePayload,
    ack: (res: PresenceSubscribeAck) => void,
  ) => void;
  'presence:unsubscribe': (payload: PresenceSubscribePayload, ack: (res: EmptyAck) => void) => void;
  /** Present a fresh access token on a live socket so it is not cut at expiry. */
  'auth:refresh': (payload: ReauthenticatePayload, ack: (res: ReauthenticateAck) => void) => void;
}

/** Events the server emits. */
export interface ServerToClientEvents {
  /** Only for ids this socket subscribed to. */
  presence: (payload: PresenceChange) => void;
  'call:incoming': (payload: CallIncoming) => void;
  'call:accepted': (payload: CallAccepted) => void;
  'call:ended': (payload: CallEnded) => void;
  'call:resume': (payload: CallResume) => void;
  'call:peer-rejoined': (payload: CallPeerRejoined) => void;
  signal: (payload: SignalRelayed) => void;
  'turn:credentials': (payload: TurnCredentials) => void;
  'auth:expiring': (payload: SessionExpiring) => void;
  'session:ended': (payload: SessionEnded) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
export type ServerEventName = keyof ServerToClientEvents;

/** The payload of a client → server event. */
export type ClientPayload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
/** What a client → server event answers through its ack. */
export type ClientAck<E extends ClientEventName> = Parameters<
  Parameters<ClientToServerEvents[E]>[1]
>[0];
/** The payload of a server → client event. */
export type ServerPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];
