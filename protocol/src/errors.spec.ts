import { ERROR_CODES, ErrorCode, isErrorCode } from './errors.js';
import { CALL_END_REASONS } from './calls.js';
import { USERNAME_PATTERN } from './limits.js';

describe('protocol runtime helpers', () => {
  it('recognises every error code and nothing else', () => {
    for (const code of ERROR_CODES) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode('nope')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
    expect(ERROR_CODES).toContain(ErrorCode.Forbidden);
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
