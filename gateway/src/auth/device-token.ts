import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * OWASP "device cookie": `<base64url username>.<nonce>.<HMAC>` proves that this browser
 * signed in as that username before. The HMAC key is derived from JWT_SECRET, so
 * rotating the secret forgets every device (they fall back to the untrusted limits).
 */
export class DeviceTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('callgate-device-cookie-v1').digest();
  }

  issue(username: string): string {
    const body = `${Buffer.from(username, 'utf8').toString('base64url')}.${randomBytes(16).toString('base64url')}`;
    return `${body}.${this.sign(body)}`;
  }

  /** The nonce of a genuine cookie for `username`, or undefined for anything else. */
  nonceFor(cookie: string | undefined, username: string): string | undefined {
    if (cookie === undefined || cookie.length > 400) return undefined;
    const parts = cookie.split('.');
    if (parts.length !== 3) return undefined;
    const [name, nonce, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(`${name}.${nonce}`), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (Buffer.from(name, 'base64url').toString('utf8') !== username) return undefined;
    return /^[A-Za-z0-9_-]{22}$/.test(nonce) ? nonce : undefined;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
