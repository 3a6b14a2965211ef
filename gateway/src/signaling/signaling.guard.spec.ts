import type { ExecutionContext } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { CallgateError } from '../common/callgate-error';
import { SignalingGuard } from './signaling.guard';
import type { SocketData } from './socket-session';
import { TokenBucket } from './token-bucket';

function contextFor(data: Partial<SocketData>, event: string): ExecutionContext {
  return {
    switchToWs: () => ({ getClient: () => ({ data }), getPattern: () => event }),
  } as unknown as ExecutionContext;
}

function refusal(guard: SignalingGuard, context: ExecutionContext): CallgateError {
  try {
    guard.canActivate(context);
  } catch (error) {
    return error as CallgateError;
  }
  throw new Error('expected the message to be refused');
}

describe('SignalingGuard', () => {
  it('lets messages through until the socket bucket is empty, then answers rate_limited', async () => {
    const metrics = new MetricsService();
    const guard = new SignalingGuard(metrics);
    const data = { rateLimit: new TokenBucket(2, 0.001), tokenExpiresAt: Date.now() + 60_000 };
    expect(guard.canActivate(contextFor(data, 'signal'))).toBe(true);
    expect(guard.canActivate(contextFor(data, 'signal'))).toBe(true);
    expect(refusal(guard, contextFor(data, 'signal')).code).toBe('rate_limited');
    expect(await metrics.registry.metrics()).toMatch(
      /callgate_signaling_messages_total\{event="signal"[^}]*\} 3/,
    );
  });

  it('refuses everything but auth:refresh once the access token has expired', () => {
    const guard = new SignalingGuard(new MetricsService());
    const data = { rateLimit: new TokenBucket(10, 10), tokenExpiresAt: Date.now() - 1 };
    expect(refusal(guard, contextFor(data, 'call:invite')).code).toBe('token_expired');
    expect(guard.canActivate(contextFor(data, 'auth:refresh'))).toBe(true);
  });
});
