import { createHmac } from 'node:crypto';

/**
 * coturn's shared-secret credential (the scheme the gateway issues): the username is
 * `<unix expiry>:<label>`, the password base64(HMAC-SHA1(secret, username)).
 * The test computes its own to present coturn with one that expired.
 */
export function turnCredential(
  secret: string,
  label: string,
  expiresAtUnixSeconds: number,
): { username: string; credential: string } {
  const username = `${expiresAtUnixSeconds}:${label}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}
