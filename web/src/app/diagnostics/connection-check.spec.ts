import { candidateType, describeUrl, urlsToCheck } from './connection-check';

describe('connection check helpers', () => {
  it.each([
    ['turn:turn.example.org:3478?transport=udp', 'turn', 'UDP'],
    ['turn:turn.example.org:3478?transport=tcp', 'turn', 'TCP'],
    ['turn:turn.example.org:3478', 'turn', 'UDP'],
    ['turns:turn.example.org:5349?transport=tcp', 'turns', 'TLS'],
    ['stun:turn.example.org:3478', 'stun', 'UDP'],
  ])('%s is %s over %s', (url, scheme, transport) => {
    expect(describeUrl(url)).toEqual({ scheme, transport });
  });

  it('reads the candidate type from the SDP line', () => {
    expect(
      candidateType(
        'candidate:1 1 udp 41885439 198.51.100.7 50000 typ relay raddr 0.0.0.0 rport 0',
      ),
    ).toBe('relay');
    expect(candidateType('garbage')).toBe('unknown');
  });

  it('checks every URL of every server with that server’s credential', () => {
    const targets = urlsToCheck({
      iceServers: [
        {
          urls: ['turn:a:3478?transport=udp', 'turn:a:3478?transport=tcp'],
          username: '1:u',
          credential: 'x',
        },
        { urls: ['turns:a:5349'], username: '1:u', credential: 'y' },
      ],
      ttl: 3600,
      expiresAt: '2030-01-01T00:00:00Z',
    });
    expect(targets.map((t) => [t.url, t.credential])).toEqual([
      ['turn:a:3478?transport=udp', 'x'],
      ['turn:a:3478?transport=tcp', 'x'],
      ['turns:a:5349', 'y'],
    ]);
  });
});
