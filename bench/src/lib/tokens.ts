import { createHmac, randomUUID } from 'node:crypto';

/**
 * An access token exactly as the gateway issues it (HS256; sub, sid, iss, aud, iat, exp — see
 * gateway/src/auth/access-token.service.ts), signed with the secret the bench gave the
 * gateway. Lets the bench open thousands of authenticated sockets for accounts it
 * inserted in bulk, without thousands of argon2 sign-ups.
 */
export function mintAccessToken(
  secret: string,
  userId: string,
  ttlSeconds: number,
  issuer = 'callgate',
  audience = 'callgate',
): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = encode({ alg: 'HS256', typ: 'JWT' });
  // A session of its own (`sid`): the gateway refuses tokens without one, and only a
  // revoked session's marker in Redis would refuse this one.
  const body = encode({
    iat: now,
    exp: now + ttlSeconds,
    aud: audience,
    iss: issuer,
    sub: userId,
    sid: randomUUID(),
  });
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}
