import { jest } from '@jest/globals';
import { signal } from '@angular/core';

import { CallConnection, DATA_CHANNEL_ID, DATA_CHANNEL_LABEL } from './call-connection';
import { STATS_HISTORY, STATS_INTERVAL_MS, type StatsSample } from './stats';
import { FakeMediaStream, FakeRtcPeer, FakeTrack } from './testing/fake-rtc';

/** `peers` collects every connection made, also when the constructor throws. */
function setup(failDataChannel = false, peers: FakeRtcPeer[] = []) {
  const attached: unknown[] = [];
  const channel = { attach: jest.fn((c: RTCDataChannel) => attached.push(c)), close: jest.fn() };
  const outputs = {
    channel,
    remoteStream: signal<MediaStream | null>(null),
    stats: signal<StatsSample | null>(null),
    statsHistory: signal<readonly StatsSample[]>([]),
    onConnectionState: jest.fn(),
  };
  const connection = new CallConnection(
    {
      iceServers: [],
      relayOnly: false,
      polite: false,
      localStream: null,
      send: () => undefined,
      freshIceServers: () => Promise.resolve([]),
      createPeerConnection: (c) => {
        const pc = new FakeRtcPeer(c);
        if (failDataChannel) {
          pc.createDataChannel = () => {
            throw new Error('OperationError');
          };
        }
        peers.push(pc);
        return pc as unknown as RTCPeerConnection;
      },
    },
    outputs,
  );
  return { connection, pc: peers[0]!, outputs, attached, channel };
}

describe('CallConnection', () => {
  beforeAll(() => {
    (globalThis as { MediaStream?: unknown }).MediaStream = FakeMediaStream;
  });
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('opens the pre-negotiated data channel on its connection and hands it to the call', () => {
    const { connection, pc, attached } = setup();
    expect(connection.session.pc).toBe(pc);
    expect(pc.channels.map((c) => [c.label, c.init])).toEqual([
      [DATA_CHANNEL_LABEL, { negotiated: true, id: DATA_CHANNEL_ID }],
    ]);
    expect(attached).toEqual([pc.channels[0]]);
    connection.close();
  });

  it('shows each remote track in a new stream object, and forwards connection states', () => {
    const { connection, pc, outputs } = setup();
    const first = outputs.remoteStream();
    expect(first?.getTracks()).toEqual([]);
    const track = new FakeTrack('video');
    pc.dispatchEvent(Object.assign(new Event('track'), { track }));
    const second = outputs.remoteStream();
    expect(second).not.toBe(first);
    expect(second?.getTracks()).toEqual([track]);
    pc.become('connected');
    expect(outputs.onConnectionState).toHaveBeenLastCalledWith('connected');
    connection.close();
  });

  it('samples stats at once, every interval and the moment it connects, keeping the last STATS_HISTORY', async () => {
    const { connection, pc, outputs } = setup();
    const old = Array.from({ length: STATS_HISTORY }, () => ({}) as StatsSample);
    outputs.statsHistory.set(old);
    await jest.advanceTimersByTimeAsync(0);
    expect(outputs.stats()).not.toBeNull();
    await jest.advanceTimersByTimeAsync(STATS_INTERVAL_MS);
    pc.become('connected');
    await jest.advanceTimersByTimeAsync(0);
    const history = outputs.statsHistory();
    expect(history).toHaveLength(STATS_HISTORY);
    expect(history.slice(-3).every((s) => !old.includes(s))).toBe(true);
    expect(history[STATS_HISTORY - 4]).toBe(old.at(-1));
    connection.close();
  });

  it('close stops stats and events, then closes the channel and the peer connection', async () => {
    const { connection, pc, outputs, channel } = setup();
    await jest.advanceTimersByTimeAsync(0);
    const sampled = outputs.statsHistory().length;
    connection.close();
    expect(channel.close).toHaveBeenCalledTimes(1);
    expect(pc.channels[0]!.readyState).toBe('closed');
    expect(pc.closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    outputs.onConnectionState.mockClear();
    pc.become('connected');
    pc.dispatchEvent(Object.assign(new Event('track'), { track: new FakeTrack('audio') }));
    await jest.advanceTimersByTimeAsync(STATS_INTERVAL_MS * 3);
    expect(outputs.onConnectionState).not.toHaveBeenCalled();
    expect(outputs.statsHistory()).toHaveLength(sampled);
    expect(outputs.remoteStream()?.getTracks()).toEqual([]);
  });

  it('a connection that fails while being set up is closed, not left holding its allocations', () => {
    const peers: FakeRtcPeer[] = [];
    expect(() => setup(true, peers)).toThrow('OperationError');
    expect(peers).toHaveLength(1);
    expect(peers[0]!.closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});
