import { jest } from '@jest/globals';

import {
  DISCONNECTED_RESTART_MS,
  FAST_START_HEIGHT,
  FAST_START_MS,
  PeerSession,
} from './peer-session';
import { FakeMediaStream, FakeRtcPeer, FakeTrack } from './testing/fake-rtc';

describe('PeerSession ICE restarts', () => {
  const stale = [{ urls: ['turn:t:3478'], username: '100:u', credential: 'old' }];
  const fresh = [{ urls: ['turn:t:3478'], username: '200:u', credential: 'new' }];
  let pc: FakeRtcPeer;
  let order: string[];
  let session: PeerSession;

  beforeAll(() => {
    (globalThis as { MediaStream?: unknown }).MediaStream = FakeMediaStream;
  });

  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    order = [];
    session = new PeerSession({
      iceServers: stale,
      relayOnly: false,
      polite: true,
      localStream: null,
      send: () => undefined,
      freshIceServers: () => {
        order.push('fetch credentials');
        pc.calls.push('fetch credentials');
        return Promise.resolve(fresh);
      },
      createPeerConnection: (c) => (pc = new FakeRtcPeer(c)) as unknown as RTCPeerConnection,
    });
  });

  afterEach(() => {
    session.close();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }

  it('on failed: fetches fresh TURN credentials first, applies them, then restarts ICE', async () => {
    pc.become('failed');
    await settle();
    expect(pc.calls).toEqual(['fetch credentials', 'setConfiguration', 'restartIce']);
    expect(pc.configuration.iceServers).toEqual(fresh);
  });

  it('on disconnected: waits about 2 s, then restarts if still disconnected', async () => {
    pc.become('disconnected');
    jest.advanceTimersByTime(DISCONNECTED_RESTART_MS - 1);
    await settle();
    expect(pc.calls).toEqual([]);
    jest.advanceTimersByTime(1);
    await settle();
    expect(pc.calls).toEqual(['fetch credentials', 'setConfiguration', 'restartIce']);
  });

  it('on disconnected that recovers within 2 s: no restart', async () => {
    pc.become('disconnected');
    jest.advanceTimersByTime(1000);
    pc.become('connected');
    jest.advanceTimersByTime(5000);
    await settle();
    expect(pc.calls).toEqual([]);
    expect(order).toEqual([]);
  });

  it('close() closes the connection and ignores later state changes', async () => {
    const states: string[] = [];
    session.connectionState$.subscribe((s) => states.push(s));
    session.close();
    expect(pc.closed).toBe(true);
    pc.become('failed');
    await settle();
    expect(pc.calls).toEqual([]);
    expect(states).toEqual(['new', 'closed']);
  });

  it('negotiates audio and video even without local media (receive only)', () => {
    const kinds: string[] = [];
    const probe = new PeerSession({
      iceServers: stale,
      relayOnly: true,
      polite: false,
      localStream: null,
      send: () => undefined,
      freshIceServers: () => Promise.resolve(fresh),
      createPeerConnection: (c) => {
        const fake = new FakeRtcPeer(c);
        fake.addTransceiver = (kind: string) => void kinds.push(kind);
        return fake as unknown as RTCPeerConnection;
      },
    });
    expect(kinds).toEqual(['audio', 'video']);
    expect(probe.relayOnly).toBe(true);
    probe.close();
  });
});

describe('PeerSession fast start', () => {
  beforeAll(() => {
    (globalThis as { MediaStream?: unknown }).MediaStream = FakeMediaStream;
  });
  afterEach(() => jest.useRealTimers());

  function open(height: number): { pc: FakeRtcPeer; session: PeerSession } {
    let pc: FakeRtcPeer | undefined;
    const tracks = [new FakeTrack('audio'), new FakeTrack('video', { width: 1280, height })];
    const session = new PeerSession({
      iceServers: [],
      relayOnly: false,
      polite: false,
      localStream: new FakeMediaStream(
        tracks as unknown as MediaStreamTrack[],
      ) as unknown as MediaStream,
      send: () => undefined,
      freshIceServers: () => Promise.resolve([]),
      createPeerConnection: (c) => (pc = new FakeRtcPeer(c)) as unknown as RTCPeerConnection,
    });
    return { pc: pc!, session };
  }

  it('sends a 720p camera at the fast-start height (180p) until the connection has been up for a while, then at full size', async () => {
    jest.useFakeTimers();
    const { pc, session } = open(720);
    await Promise.resolve();
    const video = pc.senders.find((s) => s.track?.kind === 'video')!;
    const audio = pc.senders.find((s) => s.track?.kind === 'audio')!;
    // 1280×720 → 320×180: the smallest size libwebrtc's quality scaler allows for VP8.
    expect(video.applied).toEqual([[{ active: true, scaleResolutionDownBy: 4 }]]);
    expect(audio.applied).toEqual([]);
    pc.become('connected');
    jest.advanceTimersByTime(FAST_START_MS - 1);
    await Promise.resolve();
    expect(video.applied).toHaveLength(1);
    jest.advanceTimersByTime(1);
    await Promise.resolve();
    expect(video.applied[1]).toEqual([{ active: true, scaleResolutionDownBy: 1 }]);
    // Once only: a later reconnect leaves the size to the browser.
    pc.become('disconnected');
    pc.become('connected');
    jest.advanceTimersByTime(FAST_START_MS);
    await Promise.resolve();
    expect(video.applied).toHaveLength(2);
    session.close();
  });

  it('leaves a camera no taller than the fast-start height alone, and a closed call is never rescaled', async () => {
    jest.useFakeTimers();
    const small = open(FAST_START_HEIGHT);
    expect(small.pc.senders.every((s) => s.applied.length === 0)).toBe(true);
    small.session.close();
    const big = open(720);
    big.pc.become('connected');
    big.session.close();
    jest.advanceTimersByTime(FAST_START_MS);
    await Promise.resolve();
    expect(big.pc.senders.find((s) => s.track?.kind === 'video')!.applied).toHaveLength(1);
  });
});
