import { ERROR_CODES, ErrorCode, isErrorCode } from './errors.js';
import { CALL_END_REASONS } from './calls.js';
import { USERNAME_PATTERN } from './limits.js';

describe('protocol runtime helpers', () => {
  // Written out, not read from ErrorCode: these strings are the wire contract.
  const CONTRACT_CODES = [
    'account_disabled',
    'conflict',
    'forbidden',
    'internal',
    'invalid_payload',
    'not_found',
    'rate_limited',
    'session_revoked',
    'token_expired',
    'too_many_connections',
    'unauthorized',
    'unknown_event',
  ];

  it('lists exactly the error codes the gateway sends', () => {
    expect([...ERROR_CODES].sort()).toEqual(CONTRACT_CODES);
    expect(ErrorCode.InvalidPayload).toBe('invalid_payload');
    expect(ErrorCode.TokenExpired).toBe('token_expired');
  });

  it('recognises each contract code and nothing else', () => {
    for (const code of CONTRACT_CODES) expect(isErrorCode(code)).toBe(true);
    for (const value of ['busy', 'nope', '', 'Forbidden', 'forbidden ', 42, null, undefined, {}]) {
      expect(isErrorCode(value)).toBe(false);
    }
  });

  it('lists the seven call end reasons the gateway can send', () => {
    expect([...CALL_END_REASONS].sort()).toEqual([
      'answered_elsewhere',
      'busy',
      'cancelled',
      'declined',
      'disconnected',
      'hangup',
      'timeout',
    ]);
  });

  it('accepts usernames of 3-32 lowercase letters, digits, _ . -', () => {
    expect(USERNAME_PATTERN.test('alice')).toBe(true);
    expect(USERNAME_PATTERN.test('a.b-c_9')).toBe(true);
    expect(USERNAME_PATTERN.test('ab')).toBe(false);
    expect(USERNAME_PATTERN.test('Alice')).toBe(false);
    expect(USERNAME_PATTERN.test('x'.repeat(33))).toBe(false);
    expect(USERNAME_PATTERN.test('al ice')).toBe(false);
  });
});
