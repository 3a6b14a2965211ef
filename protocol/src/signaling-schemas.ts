import { MAX_CANDIDATE_BYTES, MAX_SDP_BYTES, PRESENCE_SUBSCRIBE_MAX_IDS } from './limits.js';
import {
  arrayOf,
  type Checked,
  checkPayload,
  boolean,
  integer,
  nullable,
  object,
  oneOf,
  optional,
  type Schema,
  string,
  uuid,
} from './schema.js';
import type {
  CallAcceptPayload,
  CallIdPayload,
  CallInvitePayload,
  ClientEventName,
  ClientPayload,
  IceCandidatePayload,
  PresenceSubscribePayload,
  ReauthenticatePayload,
  SessionDescriptionPayload,
  SignalPayload,
} from './signaling.js';

const callId = uuid('callId must be a call id');

export const sessionDescriptionSchema = object<SessionDescriptionPayload>({
  type: oneOf(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: optional(string({ maxBytes: MAX_SDP_BYTES })),
});

export const iceCandidateSchema = object<IceCandidatePayload>({
  candidate: string({ maxBytes: MAX_CANDIDATE_BYTES }),
  sdpMid: optional(nullable(string({ maxLength: 64 }))),
  sdpMLineIndex: optional(nullable(integer(0, 1023))),
  usernameFragment: optional(nullable(string({ maxLength: 256 }))),
});

const callIdSchema = object<CallIdPayload>({ callId });

const presenceSchema = object<PresenceSubscribePayload>({
  userIds: arrayOf(uuid('userIds must be a list of user ids'), {
    maxItems: PRESENCE_SUBSCRIBE_MAX_IDS,
    message: `userIds may list at most ${PRESENCE_SUBSCRIBE_MAX_IDS} ids per message`,
  }),
});

/**
 * The runtime check of every client→server event, keyed by event name. The mapped type
 * makes a missing event, or a schema that does not produce the event's payload type, a
 * compile error: the contract types above are the single source.
 */
export const CLIENT_PAYLOAD_SCHEMAS: { readonly [E in ClientEventName]: Schema<ClientPayload<E>> } =
  {
    'call:invite': object<CallInvitePayload>({
      to: uuid('to must be a user id'),
      video: optional(boolean()),
    }),
    'call:rejoin': callIdSchema,
    'call:accept': object<CallAcceptPayload>(
      { callId, hasOffer: optional(boolean()), answer: optional(sessionDescriptionSchema) },
      (value) =>
        value.answer === undefined
          ? null
          : value.answer.type !== 'answer' || value.answer.sdp === undefined
            ? 'answer must be a description of type answer, with its SDP'
            : value.hasOffer === false
              ? 'An answer needs the offer (hasOffer must not be false)'
              : null,
    ),
    'call:decline': callIdSchema,
    'call:hangup': callIdSchema,
    signal: object<SignalPayload>(
      {
        callId,
        description: optional(sessionDescriptionSchema),
        // `null` is end-of-candidates; absent means "no candidate in this message".
        candidate: optional(nullable(iceCandidateSchema)),
      },
      (value) =>
        value.description === undefined && value.candidate === undefined
          ? 'A signal must carry a description or a candidate'
          : null,
    ),
    'presence:subscribe': presenceSchema,
    'presence:unsubscribe': presenceSchema,
    'auth:refresh': object<ReauthenticatePayload>({ token: string({ maxLength: 4096 }) }),
  };

/** Checks an untrusted payload of `event`; on success the value is returned as is, typed. */
export function checkClientPayload<E extends ClientEventName>(
  event: E,
  value: unknown,
): Checked<ClientPayload<E>> {
  return checkPayload(CLIENT_PAYLOAD_SCHEMAS[event] as Schema<ClientPayload<E>>, value);
}
