import { jest } from '@jest/globals';
import { signal } from '@angular/core';

import { LocalMedia, type MediaDeviceSource, type ReplaceTrack } from './local-media';
import { FakeMediaStream, FakeTrack } from './testing/fake-rtc';

class EndableTrack extends FakeTrack {
  readonly events = new EventTarget();
  label = 'screen:0:0';
  addEventListener(type: string, listener: EventListener): void {
    this.events.addEventListener(type, listener);
  }
  end(): void {
    this.readyState = 'ended';
    this.events.dispatchEvent(new Event('ended'));
  }
}

function setup(video: boolean) {
  const mic = new FakeTrack('audio');
  const camera = new FakeTrack('video');
  const opened = new FakeTrack('video');
  const open = jest.fn((withVideo?: boolean) =>
    Promise.resolve({
      stream: new FakeMediaStream(
        (withVideo === false ? [mic] : [mic, camera]) as unknown as MediaStreamTrack[],
      ) as unknown as MediaStream,
      problem: null,
    }),
  );
  const devices: MediaDeviceSource = {
    open,
    openTrack: jest.fn(() => Promise.resolve(opened as unknown as MediaStreamTrack)),
    cameraId: signal<string | null>(null),
    microphoneId: signal<string | null>(null),
  };
  const replaced: [string, unknown][] = [];
  const replace: ReplaceTrack = (kind, track) => {
    replaced.push([kind, track]);
    return Promise.resolve();
  };
  return { media: new LocalMedia(devices, video), open, mic, camera, opened, replaced, replace };
}

describe('LocalMedia', () => {
  beforeAll(() => {
    (globalThis as { MediaStream?: unknown }).MediaStream = FakeMediaStream;
  });

  it('a voice call opens the microphone only and tells the peer the camera is off', async () => {
    const { media, open } = setup(false);
    await media.open();
    expect(open).toHaveBeenCalledWith(false);
    expect(media.cameraOff()).toBe(true);
    expect(media.peerState()).toEqual({
      type: 'media',
      micMuted: false,
      cameraOff: true,
      sharingScreen: false,
    });
  });

  it('turning the camera on in a voice call opens it and puts it on the sender', async () => {
    const { media, opened, replaced, replace } = setup(false);
    await media.open();
    await media.toggleCamera(replace);
    expect(replaced).toEqual([['video', opened]]);
    expect(media.cameraOff()).toBe(false);
    expect(media.stream()?.getVideoTracks()).toEqual([opened]);
    expect(media.peerState().cameraOff).toBe(false);
    // From then on the camera only blanks, as in a video call.
    await media.toggleCamera(replace);
    expect(opened.enabled).toBe(false);
    expect(replaced).toHaveLength(1);
  });

  it('screen share replaces the camera; stopping (or the browser ending it) brings the camera back', async () => {
    const { media, camera, replaced, replace } = setup(true);
    await media.open();
    const screen = new EndableTrack('video');
    const stopped = jest.fn(() => void media.stopScreenShare(replace));
    await media.shareScreen(
      replace,
      () =>
        Promise.resolve(
          new FakeMediaStream([screen as unknown as MediaStreamTrack]) as unknown as MediaStream,
        ),
      stopped,
    );
    expect(replaced).toEqual([['video', screen]]);
    expect(media.peerState()).toMatchObject({ sharingScreen: true, cameraOff: false });
    screen.end();
    await Promise.resolve();
    expect(stopped).toHaveBeenCalledTimes(1);
    expect(replaced[1]).toEqual(['video', camera]);
    expect(media.screen()).toBeNull();
    expect(camera.readyState).toBe('live');
  });

  it('release stops camera, microphone and a shared screen', async () => {
    const { media, mic, camera, replace } = setup(true);
    await media.open();
    const screen = new EndableTrack('video');
    await media.shareScreen(
      replace,
      () =>
        Promise.resolve(
          new FakeMediaStream([screen as unknown as MediaStreamTrack]) as unknown as MediaStream,
        ),
      () => undefined,
    );
    media.release();
    expect([mic, camera, screen].map((t) => t.readyState)).toEqual(['ended', 'ended', 'ended']);
    expect(media.stream()).toBeNull();
    expect(await media.open()).toBeNull();
  });
});
