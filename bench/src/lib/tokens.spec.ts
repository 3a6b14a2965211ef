import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { refusal } from './clients.ts';
import { mintAccessToken } from './tokens.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('mintAccessToken', () => {
  // The checks of gateway/src/access-token/access-token.service.ts (HS256 only, issuer and
  // audience, then sub and sid as UUIDs and a numeric exp): a token without `sid` was
  // refused with `unauthorized` at every bench handshake after the sessions work.
  it('passes the gateway verification: HS256, issuer, audience, sub, sid and exp', () => {
    const secret = 'bench-secret-0123456789abcdef0123456789';
    const userId = randomUUID();
    const token = mintAccessToken(secret, userId, 600);
    const claims = jwt.verify(token, secret, {
      algorithms: ['HS256'],
      issuer: 'callgate',
      audience: 'callgate',
    }) as jwt.JwtPayload;
    expect(claims.sub).toBe(userId);
    expect(claims['sid']).toMatch(UUID);
    expect(claims.exp! - claims.iat!).toBe(600);
  });

  it('gives every token a session of its own', () => {
    const decode = (t: string) => jwt.decode(t) as jwt.JwtPayload;
    const [a, b] = [mintAccessToken('s', randomUUID(), 60), mintAccessToken('s', randomUUID(), 60)];
    expect(decode(a)['sid']).not.toBe(decode(b)['sid']);
  });

  it('is refused by a gateway with another secret', () => {
    const token = mintAccessToken('one-secret', randomUUID(), 60);
    expect(() => jwt.verify(token, 'another-secret', { algorithms: ['HS256'] })).toThrow();
  });
});

describe('refusal', () => {
  it('names the code and the sentence the gateway put in connect_error data', () => {
    const error = Object.assign(new Error('unauthorized'), {
      data: { code: 'unauthorized', message: 'The access token is not valid.' },
    });
    expect(refusal(error)).toBe(
      'refused with unauthorized (unauthorized: The access token is not valid.)',
    );
  });

  it('falls back to the message for a transport error without data', () => {
    expect(refusal(new Error('websocket error'))).toBe('websocket error');
  });
});
