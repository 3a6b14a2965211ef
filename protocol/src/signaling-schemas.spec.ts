import { MAX_CANDIDATE_BYTES, MAX_SDP_BYTES } from './limits.js';
import { utf8ByteLength } from './schema.js';
import { checkClientPayload } from './signaling-schemas.js';
import type { ClientEventName } from './signaling.js';

const CALL_ID = '6f1d9b2e-3c4a-4d5e-8f6a-7b8c9d0e1f2a';

function refusal(event: ClientEventName, value: unknown): string {
  const result = checkClientPayload(event, value);
  if (result.ok) throw new Error(`expected ${JSON.stringify(value)} to be refused`);
  return result.message;
}

describe('client payload schemas', () => {
  it('accepts well-formed payloads and hands back the very same value', () => {
    const offer = { callId: CALL_ID, description: { type: 'offer', sdp: 'v=0\r\n' } };
    const result = checkClientPayload('signal', offer);
    expect(result).toEqual({ ok: true, value: offer });
    expect(result.ok && result.value).toBe(offer);
    const candidate = {
      callId: CALL_ID,
      candidate: {
        candidate: 'candidate:1 1 udp 2122260223 10.0.0.2 54321 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: null,
      },
    };
    expect(checkClientPayload('signal', candidate).ok).toBe(true);
    expect(checkClientPayload('signal', { callId: CALL_ID, candidate: null }).ok).toBe(true);
    expect(checkClientPayload('call:invite', { to: CALL_ID }).ok).toBe(true);
    for (const event of ['call:accept', 'call:decline', 'call:hangup'] as const)
      expect(checkClientPayload(event, { callId: CALL_ID }).ok).toBe(true);
    expect(checkClientPayload('auth:refresh', { token: 'a.b.c' }).ok).toBe(true);
    expect(checkClientPayload('call:accept', { callId: CALL_ID, hasOffer: false }).ok).toBe(true);
  });

  it('refuses non-objects, missing, mistyped and unknown fields', () => {
    expect(refusal('call:accept', 'hello')).toBe('The payload must be a JSON object.');
    expect(refusal('call:accept', null)).toMatch(/JSON object/);
    expect(refusal('call:accept', [CALL_ID])).toMatch(/JSON object/);
    expect(refusal('call:accept', undefined)).toMatch(/JSON object/);
    expect(refusal('call:accept', {})).toBe('callId must be a call id.');
    expect(refusal('call:accept', { callId: 'not-a-uuid' })).toBe('callId must be a call id.');
    expect(refusal('call:hangup', { callId: `${CALL_ID}x` })).toMatch(/callId must be a call id/);
    expect(refusal('call:decline', { callId: CALL_ID, admin: true })).toBe(
      'admin should not exist.',
    );
    // JSON.parse makes "__proto__" an own key: refused like any other stranger.
    expect(refusal('call:accept', JSON.parse(`{"callId":"${CALL_ID}","__proto__":{}}`))).toMatch(
      /__proto__ should not exist/,
    );
    expect(refusal('call:invite', { to: 7 })).toBe('to must be a user id.');
    expect(refusal('call:accept', { callId: CALL_ID, hasOffer: 'yes' })).toBe(
      'hasOffer must be true or false.',
    );
    // Only accept carries hasOffer.
    expect(refusal('call:decline', { callId: CALL_ID, hasOffer: true })).toBe(
      'hasOffer should not exist.',
    );
    expect(refusal('auth:refresh', { token: 5 })).toBe('token must be a string.');
    expect(refusal('auth:refresh', { token: 'x'.repeat(4097) })).toMatch(/at most 4096/);
  });

  it('takes the answer with the accept: a complete answer, and only with the offer', () => {
    const answer = { type: 'answer', sdp: 'v=0\r\n' };
    expect(checkClientPayload('call:accept', { callId: CALL_ID, hasOffer: true, answer }).ok).toBe(
      true,
    );
    expect(checkClientPayload('call:accept', { callId: CALL_ID, answer }).ok).toBe(true);
    expect(
      refusal('call:accept', { callId: CALL_ID, answer: { type: 'offer', sdp: 'v=0\r\n' } }),
    ).toBe('answer must be a description of type answer, with its SDP.');
    expect(refusal('call:accept', { callId: CALL_ID, answer: { type: 'answer' } })).toBe(
      'answer must be a description of type answer, with its SDP.',
    );
    expect(refusal('call:accept', { callId: CALL_ID, hasOffer: false, answer })).toBe(
      'An answer needs the offer (hasOffer must not be false).',
    );
    expect(
      refusal('call:accept', {
        callId: CALL_ID,
        answer: { type: 'answer', sdp: 'x'.repeat(MAX_SDP_BYTES + 1) },
      }),
    ).toMatch(/answer\.sdp/);
  });

  it('checks presence subscriptions: a list of at most 200 user ids', () => {
    expect(checkClientPayload('presence:subscribe', { userIds: [CALL_ID] }).ok).toBe(true);
    expect(checkClientPayload('presence:unsubscribe', { userIds: [] }).ok).toBe(true);
    expect(checkClientPayload('presence:subscribe', { userIds: CALL_ID })).toEqual({
      ok: false,
      message: 'userIds must be a list.',
    });
    expect(checkClientPayload('presence:subscribe', { userIds: [CALL_ID, 'nope'] })).toEqual({
      ok: false,
      message: 'userIds must be a list of user ids.',
    });
    const tooMany = Array.from({ length: 201 }, () => CALL_ID);
    expect(checkClientPayload('presence:subscribe', { userIds: tooMany })).toEqual({
      ok: false,
      message: 'userIds may list at most 200 ids per message.',
    });
  });

  it('refuses a signal without description or candidate, or with bad nested fields', () => {
    expect(refusal('signal', { callId: CALL_ID })).toBe(
      'A signal must carry a description or a candidate.',
    );
    expect(refusal('signal', { callId: CALL_ID, description: { type: 'hack', sdp: 'x' } })).toBe(
      'description.type must be one of offer, answer, pranswer, rollback.',
    );
    expect(refusal('signal', { callId: CALL_ID, description: 'v=0' })).toBe(
      'description must be a JSON object.',
    );
    expect(
      refusal('signal', { callId: CALL_ID, description: { type: 'offer', sdp: 'v', x: 1 } }),
    ).toBe('description.x should not exist.');
    expect(refusal('signal', { callId: CALL_ID, candidate: { candidate: 5 } })).toBe(
      'candidate.candidate must be a string.',
    );
    expect(
      refusal('signal', { callId: CALL_ID, candidate: { candidate: 'c', sdpMLineIndex: 1.5 } }),
    ).toBe('candidate.sdpMLineIndex must be an integer from 0 to 1023.');
    expect(
      refusal('signal', { callId: CALL_ID, candidate: { candidate: 'c', sdpMLineIndex: 1024 } }),
    ).toMatch(/sdpMLineIndex/);
    expect(
      refusal('signal', { callId: CALL_ID, candidate: { candidate: 'c', sdpMid: 'm'.repeat(65) } }),
    ).toBe('candidate.sdpMid must be at most 64 characters.');
  });

  it('enforces the SDP and candidate byte limits in UTF-8 bytes, not characters', () => {
    const atLimit = 'a'.repeat(MAX_SDP_BYTES);
    expect(
      checkClientPayload('signal', {
        callId: CALL_ID,
        description: { type: 'offer', sdp: atLimit },
      }).ok,
    ).toBe(true);
    expect(
      refusal('signal', { callId: CALL_ID, description: { type: 'offer', sdp: `${atLimit}a` } }),
    ).toBe(`description.sdp must be at most ${MAX_SDP_BYTES} bytes.`);
    // 342 three-byte characters are 1026 bytes in only 342 characters.
    expect(refusal('signal', { callId: CALL_ID, candidate: { candidate: '€'.repeat(342) } })).toBe(
      `candidate.candidate must be at most ${MAX_CANDIDATE_BYTES} bytes.`,
    );
    expect(
      checkClientPayload('signal', { callId: CALL_ID, candidate: { candidate: '€'.repeat(341) } })
        .ok,
    ).toBe(true);
  });

  it('counts UTF-8 bytes as the encoder does, surrogate pairs and lone surrogates included', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀b€é', '\ud800', 'x\udc00y', '\ud800\ud800'])
      expect(utf8ByteLength(text)).toBe(new TextEncoder().encode(text).length);
  });
});
