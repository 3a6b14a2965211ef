import { MetricsService } from '../metrics/metrics.service';
import { testConfig } from '../testing/test-config';
import { turnCredential, TurnCredentialService } from './turn-credential.service';

// Known answer computed independently with:
//   printf '%s' '1767225600:3f2c8a9e-5b1d-4c7e-9a0f-2d4e6b8c0a1f' \
//     | openssl dgst -sha1 -hmac 'callgate-test-turn-secret-0123456789abcdef' -binary | base64
const SECRET = 'callgate-test-turn-secret-0123456789abcdef';
const USER_ID = '3f2c8a9e-5b1d-4c7e-9a0f-2d4e6b8c0a1f';
const EXPIRY = 1_767_225_600;
const KNOWN_CREDENTIAL = '+Ol0v7jfIFKUpoP8/j27e2GSHMQ=';

describe('TURN shared-secret credentials', () => {
  it('computes base64(HMAC-SHA1(secret, "<expiry>:<user id>"))', () => {
    expect(turnCredential(SECRET, EXPIRY, USER_ID)).toEqual({
      username: `${EXPIRY}:${USER_ID}`,
      credential: KNOWN_CREDENTIAL,
    });
  });

  it('changes the credential when any input changes', () => {
    expect(turnCredential(SECRET, EXPIRY + 1, USER_ID).credential).not.toBe(KNOWN_CREDENTIAL);
    expect(turnCredential(`${SECRET}x`, EXPIRY, USER_ID).credential).not.toBe(KNOWN_CREDENTIAL);
  });

  it('issues configured URLs, TTL and expiry, signed with the first secret', () => {
    const config = testConfig({
      TURN_SECRETS: `${SECRET},${'z'.repeat(32)}`,
      TURN_TTL_SECONDS: '600',
      TURN_TLS: 'true',
    });
    const metrics = new MetricsService();
    const service = new TurnCredentialService(config, metrics);
    const now = (EXPIRY - 600) * 1000 + 250;
    const issued = service.issue(USER_ID, 'rest', now);
    expect(issued).toEqual({
      iceServers: [
        {
          urls: [
            'turn:turn.example.test:3478?transport=udp',
            'turn:turn.example.test:3478?transport=tcp',
            'turns:turn.example.test:5349?transport=tcp',
          ],
          username: `${EXPIRY}:${USER_ID}`,
          credential: KNOWN_CREDENTIAL,
        },
      ],
      ttl: 600,
      expiresAt: new Date(EXPIRY * 1000).toISOString(),
    });
  });

  it('counts issued credentials by channel', async () => {
    const metrics = new MetricsService();
    const service = new TurnCredentialService(testConfig(), metrics);
    service.issue(USER_ID, 'socket');
    service.issue(USER_ID, 'socket');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/callgate_turn_credentials_issued_total\{channel="socket"[^}]*\} 2/);
  });
});
