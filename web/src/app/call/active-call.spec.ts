import { jest } from '@jest/globals';
import { signal } from '@angular/core';
import { CALL_END_REASONS, type UserSummary } from '@callgate/protocol';

import {
  ActiveCall,
  type ActiveCallOptions,
  DATA_CHANNEL_ID,
  MEDIA_TIMEOUT_MS,
} from './active-call';
import type { EndReason } from './call-state';
import type { MediaDeviceSource } from './local-media';
import { FakeMediaStream, FakeRtcPeer, FakeTrack } from './testing/fake-rtc';

const bob: UserSummary = { id: 'u-bob', username: 'bob', displayName: 'Bob' };
const END_REASONS: readonly EndReason[] = [...CALL_END_REASONS, 'failed'];

/** Any method returns the stub again: enough WebAudio for the ring tone to run. */
function webAudioStub(): unknown {
  const stub: unknown = new Proxy(function () {}, {
    get: (_t, key) => (key === 'then' ? undefined : key === 'currentTime' ? 0 : stub),
    apply: () => stub,
  });
  return stub;
}
class FakeAudioContext {
  currentTime = 0;
  resume = () => Promise.resolve();
  close = jest.fn(() => Promise.resolve());
  createGain = () => webAudioStub();
  createOscillator = () => webAudioStub();
  get destination() {
    return webAudioStub();
  }
}

function deferred<T>() {
  return Promise.withResolvers<T>();
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

interface Harness {
  call: ActiveCall;
  peers: FakeRtcPeer[];
  tracks: FakeTrack[];
  media: ReturnType<typeof deferred<{ stream: MediaStream | null; problem: string | null }>>;
  ice: ReturnType<typeof deferred<RTCIceServer[]>>;
  timeouts: string[];
}

function harness(
  role: 'caller' | 'callee' = 'caller',
  callId: string | null = 'c1',
): Harness & { sent: unknown[] } {
  const sent: unknown[] = [];
  const peers: FakeRtcPeer[] = [];
  const tracks = [new FakeTrack('audio'), new FakeTrack('video')];
  const media = deferred<{ stream: MediaStream | null; problem: string | null }>();
  const ice = deferred<RTCIceServer[]>();
  const timeouts: string[] = [];
  const devices: MediaDeviceSource = {
    open: () => media.promise,
    openTrack: () => Promise.reject(new Error('not used')),
    cameraId: signal<string | null>(null),
    microphoneId: signal<string | null>(null),
  };
  const options: ActiveCallOptions = {
    peer: bob,
    role,
    video: true,
    devices,
    iceServers: () => ice.promise,
    freshIceServers: () => ice.promise,
    relayOnly: () => false,
    createPeerConnection: (c) => {
      const pc = new FakeRtcPeer(c);
      peers.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
    sendSignal: (callId, message) => sent.push({ callId, ...message }),
    onConnectionState: () => undefined,
    onMediaTimeout: (detail) => timeouts.push(detail),
  };
  return { call: new ActiveCall(callId, options), peers, tracks, media, ice, timeouts, sent };
}

function giveMedia(h: Harness): void {
  h.media.resolve({
    stream: new FakeMediaStream(
      h.tracks as unknown as MediaStreamTrack[],
    ) as unknown as MediaStream,
    problem: null,
  });
}

/** Brings a fresh call to one phase of its life; each returns once it is there. */
const PHASES: Record<string, (h: Harness) => Promise<void>> = {
  ringing: (h) => {
    h.call.ring();
    return Promise.resolve();
  },
  'opening the camera': (h) => {
    void h.call.openMedia();
    return Promise.resolve();
  },
  'camera open': async (h) => {
    giveMedia(h);
    await h.call.openMedia();
  },
  'fetching TURN credentials': async (h) => {
    giveMedia(h);
    void h.call.connect();
    await flush();
  },
  'ringing, connection prepared': async (h) => {
    h.call.ring();
    giveMedia(h);
    h.ice.resolve([]);
    await h.call.connect();
  },
  connected: async (h) => {
    giveMedia(h);
    h.ice.resolve([]);
    await h.call.connect();
    await h.call.answer();
    h.peers[0]!.become('connected');
  },
  reconnecting: async (h) => {
    giveMedia(h);
    h.ice.resolve([]);
    await h.call.connect();
    await h.call.answer();
    h.peers[0]!.become('connected');
    h.peers[0]!.become('disconnected');
    h.call.armMediaTimer('lost');
  },
};

describe('ActiveCall', () => {
  beforeAll(() => {
    (globalThis as { MediaStream?: unknown }).MediaStream = FakeMediaStream;
    (globalThis as { AudioContext?: unknown }).AudioContext = FakeAudioContext;
  });
  afterAll(() => {
    delete (globalThis as { AudioContext?: unknown }).AudioContext;
  });
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('creates the connection with a pre-negotiated data channel, stats and a media timer', async () => {
    const h = harness();
    await PHASES['connected']!(h);
    const pc = h.peers[0]!;
    expect(pc.channels).toHaveLength(1);
    expect(pc.channels[0]!.init).toEqual({ negotiated: true, id: DATA_CHANNEL_ID });
    expect(pc.addedTracks).toEqual(h.tracks);
    expect(h.call.remoteStream()).not.toBeNull();
    // The stats sampler and the media timer are running.
    expect(jest.getTimerCount()).toBeGreaterThanOrEqual(2);
    h.call.close('hangup');
  });

  it('reports a media timeout once, and not after it was closed', async () => {
    const h = harness();
    giveMedia(h);
    h.ice.resolve([]);
    await h.call.connect();
    await h.call.answer();
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS);
    expect(h.timeouts).toEqual(['No network path to the other person was found in time.']);
    h.call.armMediaTimer('again');
    h.call.close('disconnected');
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS);
    expect(h.timeouts).toHaveLength(1);
  });

  it('never gives up on a connection that came up before the media timer was armed', async () => {
    const h = harness('callee');
    giveMedia(h);
    h.ice.resolve([]);
    await h.call.connect();
    h.peers[0]!.become('connected');
    await h.call.answer();
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS);
    expect(h.timeouts).toEqual([]);
    // Lost later: the countdown armed then does end it.
    h.peers[0]!.become('disconnected');
    h.call.armMediaTimer('lost');
    jest.advanceTimersByTime(MEDIA_TIMEOUT_MS);
    expect(h.timeouts).toEqual(['lost']);
    h.call.close('hangup');
  });

  describe.each(Object.keys(PHASES))('closed while %s', (phase) => {
    it.each(END_REASONS)(
      'with reason %s releases connection, devices, data channel and timers',
      async (reason) => {
        document.title = 'Callgate';
        const h = harness();
        await PHASES[phase]!(h);
        h.call.close(reason);
        // Whatever was still on its way arrives after the end and must not revive anything.
        giveMedia(h);
        h.ice.resolve([]);
        await flush();
        expect(await h.call.connect()).toBe(false);

        expect(h.call.closed).toBe(true);
        expect(h.call.endReason).toBe(reason);
        expect(h.peers.every((pc) => pc.closed)).toBe(true);
        expect(h.peers.flatMap((pc) => pc.channels).every((c) => c.readyState === 'closed')).toBe(
          true,
        );
        expect(h.tracks.map((t) => t.readyState)).toEqual(
          phase === 'ringing' ? ['live', 'live'] : ['ended', 'ended'],
        );
        expect(h.call.media.stream()).toBeNull();
        expect(h.call.remoteStream()).toBeNull();
        expect(jest.getTimerCount()).toBe(0);
        expect(document.title).toBe('Callgate');
      },
    );
  });

  describe('ringing (pre-negotiation)', () => {
    const offer = { type: 'offer', sdp: 'remote-offer' } as const;
    const candidate = { candidate: 'candidate:1 1 udp 1 192.0.2.1 3478 typ relay' };

    async function ringingCallee() {
      const h = harness('callee');
      h.call.ring();
      giveMedia(h);
      h.ice.resolve([]);
      await h.call.connect();
      await h.call.handleSignal({ description: offer });
      await h.call.handleSignal({ candidate });
      return h;
    }

    it('callee before Accept: camera and connection ready, offer applied and answered locally, nothing sent, no media timer', async () => {
      const h = await ringingCallee();
      const pc = h.peers[0]!;
      // No candidate pool: Chromium's pooled session sometimes never gathered.
      expect(pc.configuration.iceCandidatePoolSize).toBeUndefined();
      expect(pc.addedTracks).toEqual(h.tracks);
      expect(pc.remoteDescription).toEqual(offer);
      expect(pc.localDescription).toEqual({ type: 'answer', sdp: 'answer' });
      expect(pc.candidates).toEqual([]);
      // This side's own candidates (gathered once the answer is set) are held too.
      pc.dispatchEvent(
        Object.assign(new Event('icecandidate'), {
          candidate: {
            candidate: 'candidate:2 1 udp 1 198.51.100.7 5000 typ relay',
            sdpMid: '0',
            sdpMLineIndex: 0,
            usernameFragment: 'u',
          },
        }),
      );
      expect(h.sent).toEqual([]);
      jest.advanceTimersByTime(MEDIA_TIMEOUT_MS);
      expect(h.timeouts).toEqual([]);
      h.call.close('hangup');
    });

    it('callee on Accept: the answer is made at once for call:accept to carry, its own candidates wait for the acknowledgement', async () => {
      const h = await ringingCallee();
      const pc = h.peers[0]!;
      const own = {
        candidate: 'candidate:2 1 udp 1 198.51.100.7 5000 typ relay',
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: 'u',
      };
      pc.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate: own }));
      expect(await h.call.prepareAnswer()).toEqual({
        hasOffer: true,
        answer: { type: 'answer', sdp: 'answer' },
      });
      expect(pc.localDescription).toEqual({ type: 'answer', sdp: 'answer' });
      // The person chose to answer: ICE may check the caller's candidates now…
      expect(pc.candidates).toEqual([candidate]);
      // …but nothing leaves over signaling until the gateway acknowledged the accept.
      expect(h.sent).toEqual([]);
      await h.call.answer();
      // The answer went with call:accept: only the held candidate follows, once.
      expect(h.sent).toEqual([{ callId: 'c1', candidate: own }]);
      h.call.close('hangup');
    });

    it('callee after Accept: the held candidate, then the answer, and the caller candidates reach ICE', async () => {
      const h = await ringingCallee();
      const pc = h.peers[0]!;
      pc.dispatchEvent(
        Object.assign(new Event('icecandidate'), {
          candidate: {
            candidate: 'candidate:2 1 udp 1 198.51.100.7 5000 typ relay',
            sdpMid: '0',
            sdpMLineIndex: 0,
            usernameFragment: 'u',
          },
        }),
      );
      await h.call.answer();
      expect(h.sent).toEqual([
        {
          callId: 'c1',
          candidate: {
            candidate: 'candidate:2 1 udp 1 198.51.100.7 5000 typ relay',
            sdpMid: '0',
            sdpMLineIndex: 0,
            usernameFragment: 'u',
          },
        },
        { callId: 'c1', description: { type: 'answer', sdp: 'answer' } },
      ]);
      expect(pc.candidates).toEqual([candidate]);
      // Later messages take the regular negotiation.
      await h.call.handleSignal({ candidate });
      expect(pc.candidates).toHaveLength(2);
      jest.advanceTimersByTime(MEDIA_TIMEOUT_MS);
      expect(h.timeouts).toHaveLength(1);
      h.call.close('hangup');
    });

    it('callee accepting before the offer arrived says so; the late offer is answered normally', async () => {
      const h = harness('callee');
      giveMedia(h);
      h.ice.resolve([]);
      await h.call.connect();
      expect(await h.call.prepareAnswer()).toEqual({ hasOffer: false });
      await h.call.answer();
      await h.call.handleSignal({ description: offer });
      expect(h.sent).toEqual([{ callId: 'c1', description: { type: 'answer', sdp: 'answer' } }]);
      h.call.close('hangup');
    });

    it('caller: the offer waits for the call id, and is sent again when the callee tab missed it', async () => {
      const h = harness('caller', null);
      const call = h.call;
      giveMedia(h);
      h.ice.resolve([]);
      await call.connect();
      const pc = h.peers[0]!;
      expect(pc.configuration.iceCandidatePoolSize).toBeUndefined();
      pc.dispatchEvent(new Event('negotiationneeded'));
      await flush();
      expect(pc.localDescription).toEqual({ type: 'offer', sdp: 'offer' });
      expect(h.sent).toEqual([]);
      call.attach('c7');
      expect(h.sent).toEqual([{ callId: 'c7', description: { type: 'offer', sdp: 'offer' } }]);
      await call.answer(true);
      expect(h.sent).toHaveLength(2);
      expect(h.sent[1]).toEqual(h.sent[0]);
      call.close('hangup');
    });

    it.each(END_REASONS)(
      'a prepared callee closed with %s releases camera, connection and held signals',
      async (reason) => {
        const h = await ringingCallee();
        h.call.close(reason);
        await h.call.answer();
        expect(h.peers[0]!.closed).toBe(true);
        expect(h.tracks.map((t) => t.readyState)).toEqual(['ended', 'ended']);
        expect(h.sent).toEqual([]);
        expect(jest.getTimerCount()).toBe(0);
      },
    );
  });

  it('keeps the first end reason when closed twice', () => {
    const h = harness();
    h.call.close('declined');
    h.call.close('hangup');
    expect(h.call.endReason).toBe('declined');
  });
});
