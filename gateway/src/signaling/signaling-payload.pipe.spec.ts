import type { ClientEventName } from '@callgate/protocol';
import { CallgateError } from '../common/callgate-error';
import { SignalingPayloadPipe } from './signaling-payload.pipe';

const CALL_ID = '6f1d9b2e-3c4a-4d5e-8f6a-7b8c9d0e1f2a';

function refusal(event: ClientEventName, value: unknown): CallgateError {
  try {
    new SignalingPayloadPipe(event).transform(value);
  } catch (error) {
    expect(error).toBeInstanceOf(CallgateError);
    return error as CallgateError;
  }
  throw new Error('expected the payload to be refused');
}

// The schemas themselves are unit-tested in protocol/src/signaling-schemas.spec.ts; this
// checks the pipe applies its own event's schema and maps a refusal to the typed error.
describe('SignalingPayloadPipe', () => {
  it("passes a valid payload through unchanged, checked against its own event's schema", () => {
    const offer = { callId: CALL_ID, description: { type: 'offer', sdp: 'v=0\r\n' } };
    expect(new SignalingPayloadPipe('signal').transform(offer)).toBe(offer);
    expect(new SignalingPayloadPipe('call:invite').transform({ to: CALL_ID })).toEqual({
      to: CALL_ID,
    });
    // A valid invite is not a valid accept.
    expect(refusal('call:accept', { to: CALL_ID }).message).toBe('to should not exist.');
  });

  it('refuses bad payloads with invalid_payload and a sentence naming the field', () => {
    const error = refusal('signal', { callId: CALL_ID, description: { type: 'hack' } });
    expect(error.code).toBe('invalid_payload');
    expect(error.body).toEqual({
      code: 'invalid_payload',
      message: 'description.type must be one of offer, answer, pranswer, rollback.',
    });
    expect(refusal('call:hangup', 'hello').body.code).toBe('invalid_payload');
    expect(refusal('auth:refresh', {}).message).toBe('token must be a string.');
  });
});
