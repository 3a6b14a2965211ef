import { DeviceTokens } from './device-token';
import { progressiveDelayMs } from './login-throttle.service';

describe('device cookies', () => {
  const tokens = new DeviceTokens('unit-test-jwt-secret-0123456789abcdef');

  it('vouches only for the username it was issued to', () => {
    const cookie = tokens.issue('alice');
    expect(tokens.nonceFor(cookie, 'alice')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(tokens.nonceFor(cookie, 'bob')).toBeUndefined();
  });

  it('refuses forged, truncated and foreign-key cookies', () => {
    const cookie = tokens.issue('alice');
    const [name, nonce] = cookie.split('.');
    expect(tokens.nonceFor(`${name}.${nonce}.AAAA`, 'alice')).toBeUndefined();
    expect(tokens.nonceFor(`${name}.${nonce}`, 'alice')).toBeUndefined();
    expect(tokens.nonceFor(undefined, 'alice')).toBeUndefined();
    const other = new DeviceTokens('another-secret-0123456789abcdef-xyz');
    expect(other.nonceFor(cookie, 'alice')).toBeUndefined();
  });
});

describe('progressive delay for unknown browsers', () => {
  it('starts at the second attempt, doubles, and stops at 10 s', () => {
    expect([1, 2, 3, 4, 5].map((n) => progressiveDelayMs(n, 250))).toEqual([
      0, 250, 500, 1000, 2000,
    ]);
    expect(progressiveDelayMs(40, 250)).toBe(10_000);
    expect(progressiveDelayMs(5, 0)).toBe(0);
  });
});
