import { MAX_CANDIDATE_BYTES, MAX_SDP_BYTES } from '@callgate/protocol';
import { CallIdDto, CallInviteDto, ReauthenticateDto, SignalDto } from './dto/signaling.dto';
import { CallgateError } from '../common/callgate-error';
import { SignalingPayloadPipe } from './signaling-payload.pipe';

const pipe = new SignalingPayloadPipe();
const CALL_ID = '6f1d9b2e-3c4a-4d5e-8f6a-7b8c9d0e1f2a';

function run(metatype: new () => object, value: unknown): Promise<unknown> {
  return pipe.transform(value, { type: 'body', metatype });
}

async function refusal(metatype: new () => object, value: unknown): Promise<string> {
  try {
    await run(metatype, value);
  } catch (error) {
    expect(error).toBeInstanceOf(CallgateError);
    expect((error as CallgateError).code).toBe('invalid_payload');
    return (error as CallgateError).message;
  }
  throw new Error('expected the payload to be refused');
}

describe('SignalingPayloadPipe', () => {
  it('accepts well-formed payloads and returns DTO instances', async () => {
    expect(await run(CallInviteDto, { to: CALL_ID })).toBeInstanceOf(CallInviteDto);
    expect(await run(CallIdDto, { callId: CALL_ID })).toEqual({ callId: CALL_ID });
    const offer = { callId: CALL_ID, description: { type: 'offer', sdp: 'v=0\r\n' } };
    expect(await run(SignalDto, offer)).toEqual(offer);
    const candidate = {
      callId: CALL_ID,
      candidate: {
        candidate: 'candidate:1 1 udp 2122260223 10.0.0.2 54321 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
      },
    };
    expect(await run(SignalDto, candidate)).toEqual(candidate);
    expect(await run(SignalDto, { callId: CALL_ID, candidate: null })).toEqual({
      callId: CALL_ID,
      candidate: null,
    });
  });

  it('refuses non-objects, missing and unknown fields', async () => {
    expect(await refusal(CallIdDto, 'hello')).toMatch(/JSON object/);
    expect(await refusal(CallIdDto, null)).toMatch(/JSON object/);
    expect(await refusal(CallIdDto, [CALL_ID])).toMatch(/JSON object/);
    expect(await refusal(CallIdDto, {})).toMatch(/callId/);
    expect(await refusal(CallIdDto, { callId: 'not-a-uuid' })).toMatch(/callId must be a call id/);
    expect(await refusal(CallIdDto, { callId: CALL_ID, admin: true })).toMatch(
      /admin should not exist/,
    );
    expect(await refusal(CallInviteDto, { to: 7 })).toMatch(/to must be a user id/);
    expect(await refusal(ReauthenticateDto, { token: 5 })).toMatch(/token/);
  });

  it('refuses a signal with neither description nor candidate, or a bad SDP type', async () => {
    expect(await refusal(SignalDto, { callId: CALL_ID })).toMatch(/description or a candidate/);
    expect(
      await refusal(SignalDto, { callId: CALL_ID, description: { type: 'hack', sdp: 'x' } }),
    ).toMatch(/description.type must be one of/);
    expect(await refusal(SignalDto, { callId: CALL_ID, description: 'v=0' })).toMatch(
      /description/,
    );
  });

  it('enforces the SDP and candidate byte limits (UTF-8 bytes, not characters)', async () => {
    const sdpAtLimit = 'a'.repeat(MAX_SDP_BYTES);
    await expect(
      run(SignalDto, { callId: CALL_ID, description: { type: 'offer', sdp: sdpAtLimit } }),
    ).resolves.toBeDefined();
    expect(
      await refusal(SignalDto, {
        callId: CALL_ID,
        description: { type: 'offer', sdp: `${sdpAtLimit}a` },
      }),
    ).toMatch(new RegExp(`sdp must be at most ${MAX_SDP_BYTES} bytes`));
    // 342 three-byte characters = 1026 bytes although only 342 characters.
    const wide = '€'.repeat(342);
    expect(await refusal(SignalDto, { callId: CALL_ID, candidate: { candidate: wide } })).toMatch(
      new RegExp(`candidate must be at most ${MAX_CANDIDATE_BYTES} bytes`),
    );
  });
});
