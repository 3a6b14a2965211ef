import { jest } from '@jest/globals';

import {
  PROBE_MAX_AGE_MS,
  UdpRelayProbe,
  isUdpTurnUrl,
  probeUdpRelay,
  udpOnly,
} from './udp-relay-probe';
import {
  ProbePeer,
  RELAY_CANDIDATE as RELAY,
  probePeerFactory as factory,
} from './testing/probe-peer';

const SERVERS: RTCIceServer[] = [
  {
    urls: [
      'turn:turn.test:3478?transport=udp',
      'turn:turn.test:3478?transport=tcp',
      'turns:web.test:443?transport=tcp',
    ],
    username: '1:u',
    credential: 'c',
  },
];

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('TURN URLs over UDP', () => {
  it('are turn: URLs with transport=udp or no transport', () => {
    expect(isUdpTurnUrl('turn:t:3478?transport=udp')).toBe(true);
    expect(isUdpTurnUrl('turn:t:3478')).toBe(true);
    expect(isUdpTurnUrl('turn:t:3478?transport=tcp')).toBe(false);
    expect(isUdpTurnUrl('turns:t:443?transport=tcp')).toBe(false);
    expect(isUdpTurnUrl('stun:t:3478')).toBe(false);
  });

  it('udpOnly keeps each server with its UDP URLs and drops servers without one', () => {
    const tlsOnly: RTCIceServer = { urls: 'turns:b:443', username: 'x', credential: 'y' };
    expect(udpOnly([...SERVERS, tlsOnly])).toEqual([
      { urls: ['turn:turn.test:3478?transport=udp'], username: '1:u', credential: 'c' },
    ]);
  });
});

describe('probeUdpRelay', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('asks for a relay over UDP only, says yes on the first grant, and closes once gathering ends', async () => {
    const peers: ProbePeer[] = [];
    const result = probeUdpRelay(SERVERS, factory(peers), 3000);
    await flush();
    const pc = peers[0]!;
    expect(pc.configuration).toEqual({
      iceServers: [
        { urls: ['turn:turn.test:3478?transport=udp'], username: '1:u', credential: 'c' },
      ],
      iceTransportPolicy: 'relay',
    });
    expect(pc.closed).toBe(false);
    pc.gather(RELAY);
    await expect(result).resolves.toBe(true);
    // Other allocations (one per interface) may still be on their way: closing now would
    // leave them on the relay. Closed when gathering ends, or when the time is up.
    expect(pc.closed).toBe(false);
    pc.gather(null);
    expect(pc.closed).toBe(true);

    const slow = probeUdpRelay(SERVERS, factory(peers), 3000);
    await flush();
    peers[1]!.gather(RELAY);
    await expect(slow).resolves.toBe(true);
    jest.advanceTimersByTime(3000);
    expect(peers[1]!.closed).toBe(true);
  });

  it('says no when gathering ends without a relay, or when the relay never answers', async () => {
    const peers: ProbePeer[] = [];
    const ended = probeUdpRelay(SERVERS, factory(peers), 3000);
    await flush();
    peers[0]!.gather(null);
    await expect(ended).resolves.toBe(false);
    expect(peers[0]!.closed).toBe(true);

    const silent = probeUdpRelay(SERVERS, factory(peers), 3000);
    await flush();
    jest.advanceTimersByTime(3000);
    await expect(silent).resolves.toBe(false);
    expect(peers[1]!.closed).toBe(true);
  });

  it('says no without a UDP URL or a working RTCPeerConnection, and makes none', async () => {
    const peers: ProbePeer[] = [];
    await expect(probeUdpRelay([{ urls: 'turns:b:443' }], factory(peers))).resolves.toBe(false);
    expect(peers).toHaveLength(0);
    const broken = () => {
      throw new Error('no WebRTC here');
    };
    await expect(probeUdpRelay(SERVERS, broken)).resolves.toBe(false);
  });
});

describe('UdpRelayProbe', () => {
  it('gives every URL until UDP is known to work, then the relay over UDP alone', async () => {
    const peers: ProbePeer[] = [];
    const probe = new UdpRelayProbe(factory(peers), 3000);
    expect(probe.serversFor(SERVERS)).toEqual(SERVERS);
    const found = probe.refresh(SERVERS);
    // Running: still every URL.
    expect(probe.udpWorks).toBeNull();
    expect(probe.serversFor(SERVERS)).toEqual(SERVERS);
    await flush();
    peers[0]!.gather(RELAY);
    await found;
    expect(probe.udpWorks).toBe(true);
    expect(probe.serversFor(SERVERS)).toEqual(udpOnly(SERVERS));
  });

  it('keeps every URL where UDP is blocked', async () => {
    const peers: ProbePeer[] = [];
    const probe = new UdpRelayProbe(factory(peers), 3000);
    const found = probe.refresh(SERVERS);
    await flush();
    peers[0]!.gather(null);
    await found;
    expect(probe.udpWorks).toBe(false);
    expect(probe.serversFor(SERVERS)).toEqual(SERVERS);
  });

  it('probes once per network: again only when the answer is old or forgotten', async () => {
    const peers: ProbePeer[] = [];
    let now = 0;
    const probe = new UdpRelayProbe(factory(peers), 3000, () => now);
    const first = probe.refresh(SERVERS);
    // A second refresh while the first runs shares it.
    expect(probe.refresh(SERVERS)).toBe(first);
    await flush();
    peers[0]!.gather(RELAY);
    await first;
    now += PROBE_MAX_AGE_MS - 1;
    await probe.refresh(SERVERS);
    expect(peers).toHaveLength(1);
    now += 1;
    void probe.refresh(SERVERS);
    expect(peers).toHaveLength(2);

    // The network changed while that probe ran: its answer is dropped, every URL again.
    probe.forget();
    await flush();
    peers[1]!.gather(RELAY);
    await flush();
    expect(probe.udpWorks).toBeNull();
    expect(probe.serversFor(SERVERS)).toEqual(SERVERS);
  });
});
