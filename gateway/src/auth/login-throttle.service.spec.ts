import { HttpStatus } from '@nestjs/common';
import { CallgateError } from '../common/callgate-error';
import { HTTP_STATUS_BY_CODE } from '../common/http-status';
import { testConfig } from '../testing/test-config';
import { LoginThrottleService } from './login-throttle.service';

describe('LoginThrottleService', () => {
  let now: number;
  let throttle: LoginThrottleService;

  beforeEach(() => {
    now = 1_000_000;
    throttle = new LoginThrottleService(
      testConfig({ LOGIN_MAX_FAILURES: '3', LOGIN_FAILURE_WINDOW_SECONDS: '60' }),
    );
    throttle.now = () => now;
  });

  function refusal(username: string, address: string): CallgateError {
    try {
      throttle.assertAllowed(username, address);
    } catch (error) {
      return error as CallgateError;
    }
    throw new Error('expected the attempt to be throttled');
  }

  it('locks a username + address out after the allowed failures, with Retry-After', () => {
    for (let i = 0; i < 3; i++) {
      throttle.assertAllowed('alice', '10.0.0.1');
      throttle.recordFailure('alice', '10.0.0.1');
    }
    now += 20_000;
    const error = refusal('alice', '10.0.0.1');
    expect(HTTP_STATUS_BY_CODE[error.code]).toBe(HttpStatus.TOO_MANY_REQUESTS);
    expect(error.code).toBe('rate_limited');
    expect(error.headers['Retry-After']).toBe('40');
  });

  it('keys on both username and address (case-insensitive username)', () => {
    for (let i = 0; i < 3; i++) throttle.recordFailure('Alice', '10.0.0.1');
    expect(() => throttle.assertAllowed('alice', '10.0.0.1')).toThrow(CallgateError);
    expect(() => throttle.assertAllowed('alice', '10.0.0.2')).not.toThrow();
    expect(() => throttle.assertAllowed('bob', '10.0.0.1')).not.toThrow();
  });

  it('forgets failures when the window ends and after a success', () => {
    for (let i = 0; i < 3; i++) throttle.recordFailure('alice', '10.0.0.1');
    now += 60_001;
    expect(() => throttle.assertAllowed('alice', '10.0.0.1')).not.toThrow();
    throttle.recordFailure('bob', 'x');
    throttle.recordFailure('bob', 'x');
    throttle.recordSuccess('bob', 'x');
    throttle.recordFailure('bob', 'x');
    expect(() => throttle.assertAllowed('bob', 'x')).not.toThrow();
  });
});
