import { type StatsEntry, computeSample, describePair, describePath, readStats } from './stats';

/** A report as Chrome shapes it: transport → selected pair → local/remote candidates. */
function report(opts: {
  t: number;
  sent: number;
  received: number;
  packets: number;
  lost: number;
  frames: number;
  fps?: number;
  local?: Partial<StatsEntry>;
  remote?: Partial<StatsEntry>;
  rtt?: number;
}): StatsEntry[] {
  const ts = opts.t;
  return [
    { id: 'T01', type: 'transport', timestamp: ts, selectedCandidatePairId: 'CP1' },
    {
      id: 'CP0',
      type: 'candidate-pair',
      timestamp: ts,
      localCandidateId: 'L0',
      remoteCandidateId: 'R0',
      nominated: false,
      state: 'failed',
    },
    {
      id: 'CP1',
      type: 'candidate-pair',
      timestamp: ts,
      localCandidateId: 'L1',
      remoteCandidateId: 'R1',
      currentRoundTripTime: opts.rtt ?? 0.042,
    },
    { id: 'L0', type: 'local-candidate', timestamp: ts, candidateType: 'host', protocol: 'udp' },
    { id: 'R0', type: 'remote-candidate', timestamp: ts, candidateType: 'host', protocol: 'udp' },
    {
      id: 'L1',
      type: 'local-candidate',
      timestamp: ts,
      candidateType: 'relay',
      protocol: 'udp',
      relayProtocol: 'tcp',
      address: '198.51.100.7',
      port: 50000,
      ...opts.local,
    },
    {
      id: 'R1',
      type: 'remote-candidate',
      timestamp: ts,
      candidateType: 'relay',
      protocol: 'udp',
      address: '198.51.100.7',
      port: 50002,
      ...opts.remote,
    },
    { id: 'OA', type: 'outbound-rtp', kind: 'audio', timestamp: ts, bytesSent: opts.sent / 4 },
    {
      id: 'OV',
      type: 'outbound-rtp',
      kind: 'video',
      timestamp: ts,
      bytesSent: (opts.sent * 3) / 4,
    },
    {
      id: 'IA',
      type: 'inbound-rtp',
      kind: 'audio',
      timestamp: ts,
      bytesReceived: 0,
      packetsReceived: 0,
      packetsLost: 0,
    },
    {
      id: 'IV',
      type: 'inbound-rtp',
      kind: 'video',
      timestamp: ts,
      bytesReceived: opts.received,
      packetsReceived: opts.packets,
      packetsLost: opts.lost,
      framesDecoded: opts.frames,
      frameWidth: 640,
      frameHeight: 480,
      ...(opts.fps === undefined ? {} : { framesPerSecond: opts.fps }),
    },
  ];
}

describe('stats sampling', () => {
  it('reads the selected pair through the transport, not the first pair', () => {
    const reading = readStats(
      report({ t: 0, sent: 0, received: 0, packets: 0, lost: 0, frames: 0 }),
      0,
    );
    expect(reading.path).toEqual({
      localType: 'relay',
      remoteType: 'relay',
      protocol: 'udp',
      relayProtocol: 'tcp',
      localAddress: '198.51.100.7:50000',
      remoteAddress: '198.51.100.7:50002',
    });
    expect(reading.rttMs).toBeCloseTo(42);
    expect(reading.resolution).toBe('640×480');
  });

  it('has no rates for the first sample', () => {
    const reading = readStats(
      report({ t: 1000, sent: 5000, received: 9000, packets: 10, lost: 0, frames: 5 }),
      1000,
    );
    const sample = computeSample(null, reading);
    expect(sample.outBitrate).toBeNull();
    expect(sample.inBitrate).toBeNull();
    expect(sample.packetLossPercent).toBeNull();
    expect(sample.fps).toBeNull();
    expect(sample.framesDecoded).toBe(5);
  });

  it('computes bitrates, loss and frame rate from deltas over the real interval', () => {
    const first = readStats(
      report({ t: 1000, sent: 100_000, received: 200_000, packets: 1000, lost: 10, frames: 100 }),
      1000,
    );
    const second = readStats(
      report({ t: 3000, sent: 350_000, received: 450_000, packets: 1190, lost: 20, frames: 160 }),
      3000,
    );
    const sample = computeSample(first.counters, second);
    expect(sample.outBitrate).toBe(1_000_000); // 250 kB in 2 s
    expect(sample.inBitrate).toBe(1_000_000);
    expect(sample.packetLossPercent).toBe(5); // 10 lost of 200 expected
    expect(sample.fps).toBe(30); // 60 frames in 2 s
    expect(sample.rttMs).toBeCloseTo(42);
  });

  it('prefers the decoder’s own frame rate when it reports one', () => {
    const first = readStats(
      report({ t: 0, sent: 0, received: 0, packets: 0, lost: 0, frames: 0 }),
      0,
    );
    const second = readStats(
      report({ t: 2000, sent: 0, received: 0, packets: 0, lost: 0, frames: 10, fps: 24 }),
      2000,
    );
    expect(computeSample(first.counters, second).fps).toBe(24);
  });

  it('treats counters that went backwards (track replaced) as unknown, not negative', () => {
    const first = readStats(
      report({ t: 0, sent: 500_000, received: 100, packets: 10, lost: 0, frames: 0 }),
      0,
    );
    const second = readStats(
      report({ t: 2000, sent: 1000, received: 200, packets: 20, lost: 0, frames: 0 }),
      2000,
    );
    const sample = computeSample(first.counters, second);
    expect(sample.outBitrate).toBeNull();
    expect(sample.inBitrate).toBe(400);
    expect(sample.packetLossPercent).toBe(0);
  });

  it('falls back to the nominated, succeeded pair when there is no transport entry', () => {
    const entries = report({ t: 0, sent: 0, received: 0, packets: 0, lost: 0, frames: 0 }).filter(
      (e) => e.type !== 'transport',
    );
    const cp1 = entries.find((e) => e.id === 'CP1')!;
    Object.assign(cp1, { nominated: true, state: 'succeeded' });
    expect(readStats(entries, 0).path?.localType).toBe('relay');
  });

  it.each([
    [{ localType: 'host', remoteType: 'srflx', relayProtocol: null }, 'Direct'],
    [{ localType: 'relay', remoteType: 'host', relayProtocol: 'udp' }, 'Relayed (TURN/UDP)'],
    [{ localType: 'relay', remoteType: 'relay', relayProtocol: 'tcp' }, 'Relayed (TURN/TCP)'],
    [{ localType: 'relay', remoteType: 'relay', relayProtocol: 'tls' }, 'Relayed (TURN/TLS)'],
    [
      { localType: 'srflx', remoteType: 'relay', relayProtocol: null },
      'Relayed (TURN, by the other side)',
    ],
  ])('badge for %o is %s', (partial, badge) => {
    const path = { protocol: 'udp', localAddress: null, remoteAddress: null, ...partial };
    expect(describePath(path)).toBe(badge);
  });

  it('describes the pair for tests and support as "local/remote protocol [via TURN leg]"', () => {
    const reading = readStats(
      report({ t: 0, sent: 0, received: 0, packets: 0, lost: 0, frames: 0 }),
      0,
    );
    expect(describePair(reading.path)).toBe('relay/relay udp via TURN/TCP');
    expect(describePair(null)).toBe('none');
    const viaTls = {
      localType: 'relay',
      remoteType: 'relay',
      protocol: 'udp',
      relayProtocol: 'tls',
    };
    expect(describePair({ ...viaTls, localAddress: null, remoteAddress: null })).toBe(
      'relay/relay udp via TURN/TLS',
    );
    expect(describePath(null)).toBe('Connecting…');
  });
});
