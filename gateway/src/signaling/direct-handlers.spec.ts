import { Logger } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { CallgateError } from '../common/callgate-error';
import { DirectHandlers } from './direct-handlers';
import { SignalingAckFilter } from './signaling-ack.filter';
import { SignalingGuard } from './signaling.guard';
import type { SignalingSocket } from './socket-session';
import { TokenBucket } from './token-bucket';

const CALL_ID = '9c1c2a51-8a8b-4c55-9b55-2f1f1f1f1f1f';

function socket(burst: number, expiresAt = Date.now() + 60_000): SignalingSocket {
  return {
    data: { rateLimit: new TokenBucket(burst, 0.001), tokenExpiresAt: expiresAt },
  } as unknown as SignalingSocket;
}

/** Runs one `call:hangup` through a bound direct handler; resolves with what the ack got. */
function run(
  handle: () => Promise<unknown>,
  on: SignalingSocket,
  payload: unknown = { callId: CALL_ID },
): Promise<unknown> {
  const metrics = new MetricsService();
  const direct = new DirectHandlers();
  const checks = { guard: new SignalingGuard(metrics), filter: new SignalingAckFilter(metrics) };
  direct.bind('call:hangup', checks, handle);
  return new Promise((resolve) => direct.get('call:hangup')!(on, payload, resolve));
}

describe('DirectHandlers.bind', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it("acks the handler's result for a valid payload", async () => {
    const handle = jest.fn(() => Promise.resolve({ ok: true }));
    expect(await run(handle, socket(5))).toEqual({ ok: true });
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it('answers a handler failure through the ack filter with its code', async () => {
    const refused = () => Promise.reject(CallgateError.notFound('This call has ended.'));
    expect(await run(refused, socket(5))).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'This call has ended.' },
    });
  });

  it('refuses a malformed payload, a spent rate limit and an expired token before the handler', async () => {
    const handle = jest.fn(() => Promise.resolve({ ok: true }));
    expect(await run(handle, socket(5), { callId: 42 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await run(handle, socket(0))).toMatchObject({
      ok: false,
      error: { code: 'rate_limited' },
    });
    expect(await run(handle, socket(5, Date.now() - 1))).toMatchObject({
      ok: false,
      error: { code: 'token_expired' },
    });
    expect(handle).not.toHaveBeenCalled();
  });
});
