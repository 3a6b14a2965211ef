import { jest } from '@jest/globals';
import { signal } from '@angular/core';

import { CallMediaControls } from './call-media-controls';
import { LocalMedia, type MediaDeviceSource, type ReplaceTrack } from './local-media';
import { FakeMediaStream, FakeTrack } from './testing/fake-rtc';

/** A screen track the browser can end ("Stop sharing"). */
class ScreenTrack extends FakeTrack {
  private readonly events = new EventTarget();
  addEventListener(type: string, listener: EventListener): void {
    this.events.addEventListener(type, listener);
  }
  end(): void {
    this.readyState = 'ended';
    this.events.dispatchEvent(new Event('ended'));
  }
}

async function setup() {
  const mic = new FakeTrack('audio');
  const camera = new FakeTrack('video');
  const other = new FakeTrack('video');
  const devices: MediaDeviceSource = {
    open: () =>
      Promise.resolve({
        stream: new FakeMediaStream([
          mic,
          camera,
        ] as unknown as MediaStreamTrack[]) as unknown as MediaStream,
        problem: null,
      }),
    openTrack: () => Promise.resolve(other as unknown as MediaStreamTrack),
    cameraId: signal<string | null>(null),
    microphoneId: signal<string | null>(null),
  };
  const media = new LocalMedia(devices, true);
  await media.open();
  /** Each announcement, as the state the other side is told at that moment. */
  const announced: { micMuted: boolean; cameraOff: boolean; sharingScreen: boolean }[] = [];
  const channel = {
    sendMediaState: () => {
      const { micMuted, cameraOff, sharingScreen } = media.peerState();
      announced.push({ micMuted, cameraOff, sharingScreen });
    },
  };
  const replaced: [string, unknown][] = [];
  const replace: ReplaceTrack = (kind, track) => {
    replaced.push([kind, track]);
    return Promise.resolve();
  };
  const screen = new ScreenTrack('video');
  const getDisplayMedia = jest.fn(() =>
    Promise.resolve(
      new FakeMediaStream([screen] as unknown as MediaStreamTrack[]) as unknown as MediaStream,
    ),
  );
  const controls = new CallMediaControls(media, channel, replace, getDisplayMedia);
  return { controls, media, announced, replaced, camera, other, screen, getDisplayMedia };
}

describe('CallMediaControls', () => {
  beforeAll(() => {
    (globalThis as { MediaStream?: unknown }).MediaStream = FakeMediaStream;
  });
  afterEach(() => jest.restoreAllMocks());

  it('announces each microphone and camera toggle to the other side, after the change', async () => {
    const { controls, announced } = await setup();
    controls.toggleMicrophone();
    await controls.toggleCamera();
    controls.toggleMicrophone();
    expect(announced).toEqual([
      { micMuted: true, cameraOff: false, sharingScreen: false },
      { micMuted: true, cameraOff: true, sharingScreen: false },
      { micMuted: false, cameraOff: true, sharingScreen: false },
    ]);
  });

  it('puts a switched camera on the sender without announcing anything', async () => {
    const { controls, announced, replaced, other } = await setup();
    await controls.switchDevice('video', 'cam-2');
    expect(replaced).toEqual([['video', other]]);
    expect(announced).toEqual([]);
  });

  it('shares a screen in place of the camera and announces it; stopping puts the camera back', async () => {
    const { controls, announced, replaced, camera, screen, getDisplayMedia } = await setup();
    await controls.shareScreen();
    expect(getDisplayMedia).toHaveBeenCalledTimes(1);
    expect(replaced).toEqual([['video', screen]]);
    expect(announced.at(-1)).toEqual({ micMuted: false, cameraOff: false, sharingScreen: true });
    await controls.stopScreenShare();
    expect(replaced.at(-1)).toEqual(['video', camera]);
    expect(announced.at(-1)).toEqual({ micMuted: false, cameraOff: false, sharingScreen: false });
  });

  it("the browser's own Stop sharing brings the camera back and tells the other side", async () => {
    const { controls, media, announced, replaced, camera, screen } = await setup();
    await controls.shareScreen();
    screen.end();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(media.screen()).toBeNull();
    expect(replaced.at(-1)).toEqual(['video', camera]);
    expect(announced.at(-1)).toEqual({ micMuted: false, cameraOff: false, sharingScreen: false });
  });

  it('a refused screen picker changes and announces nothing', async () => {
    const { controls, announced, replaced, getDisplayMedia } = await setup();
    getDisplayMedia.mockImplementationOnce(() => Promise.reject(new Error('NotAllowedError')));
    await expect(controls.shareScreen()).rejects.toThrow('NotAllowedError');
    expect(replaced).toEqual([]);
    expect(announced).toEqual([]);
  });
});
