import { computed, signal } from '@angular/core';
import type { PeerMediaState } from '@callgate/protocol';

import type { MediaDevicesService } from './media-devices.service';

/** The part of {@link MediaDevicesService} local media uses; a fake in unit tests. */
export type MediaDeviceSource = Pick<
  MediaDevicesService,
  'open' | 'openTrack' | 'cameraId' | 'microphoneId'
>;

/** Puts `track` (or nothing) on the outgoing sender of its kind. */
export type ReplaceTrack = (
  kind: 'audio' | 'video',
  track: MediaStreamTrack | null,
) => Promise<void>;

/**
 * This side's camera, microphone and shared screen for one call (one instance per call):
 * opened once, muted or blanked by toggling track `enabled`, switched mid-call, and always
 * released at the end. A voice call opens no camera until the person turns it on.
 */
export class LocalMedia {
  readonly stream = signal<MediaStream | null>(null);
  /** Why there is less media than asked for (refused, no camera, …), as a sentence. */
  readonly problem = signal<string | null>(null);
  readonly micMuted = signal(false);
  readonly cameraOff: ReturnType<typeof signal<boolean>>;
  /** The shared screen's track while sharing; it replaces the camera on the sender. */
  readonly screen = signal<MediaStreamTrack | null>(null);
  /** What the other side is told about this side's media. */
  readonly peerState = computed<PeerMediaState>(() => {
    const sharingScreen = this.screen() !== null;
    const hasCamera = (this.stream()?.getVideoTracks().length ?? 0) > 0;
    return {
      type: 'media',
      micMuted: this.micMuted() || (this.stream()?.getAudioTracks().length ?? 0) === 0,
      cameraOff: !sharingScreen && (this.cameraOff() || !hasCamera),
      sharingScreen,
    };
  });
  private opening: Promise<MediaStream | null> | null = null;
  /** Set by {@link release}: a device that opens after its call ended is closed again. */
  private released = false;

  constructor(
    private readonly devices: MediaDeviceSource,
    private readonly video = true,
  ) {
    this.cameraOff = signal(!video);
  }

  /** Opens camera and microphone once for this call; later calls share the same result. */
  open(): Promise<MediaStream | null> {
    if (this.released) return Promise.resolve(null);
    this.opening ??= this.devices.open(this.video).then(({ stream, problem }) => {
      if (this.released) {
        stream?.getTracks().forEach((t) => t.stop());
        return null;
      }
      stream?.getAudioTracks().forEach((t) => (t.enabled = !this.micMuted()));
      stream?.getVideoTracks().forEach((t) => (t.enabled = !this.cameraOff()));
      this.stream.set(stream);
      this.problem.set(problem);
      return stream;
    });
    return this.opening;
  }

  toggleMicrophone(): void {
    this.micMuted.update((muted) => !muted);
    this.stream()
      ?.getAudioTracks()
      .forEach((t) => (t.enabled = !this.micMuted()));
  }

  /**
   * Blanks or restores the camera. Without a camera track yet (a voice call) turning it on
   * opens the camera and starts sending it, which renegotiates.
   */
  async toggleCamera(replace: ReplaceTrack): Promise<void> {
    const current = this.stream();
    if (this.cameraOff() && current && current.getVideoTracks().length === 0) {
      const track = await this.devices.openTrack('video', this.devices.cameraId());
      if (this.released) {
        track.stop();
        return;
      }
      this.devices.cameraId.set(track.getSettings().deviceId ?? this.devices.cameraId());
      this.stream.set(new MediaStream([...current.getTracks(), track]));
      this.cameraOff.set(false);
      if (!this.screen()) await replace('video', track);
      return;
    }
    this.cameraOff.update((off) => !off);
    current?.getVideoTracks().forEach((t) => (t.enabled = !this.cameraOff()));
  }

  /** Opens another camera or microphone and hands its track to `replace` (the sender). */
  async switchDevice(
    kind: 'audio' | 'video',
    deviceId: string,
    replace: ReplaceTrack,
  ): Promise<void> {
    if (kind === 'audio') this.devices.microphoneId.set(deviceId);
    else this.devices.cameraId.set(deviceId);
    const current = this.stream();
    if (!current) return;
    const track = await this.devices.openTrack(kind, deviceId);
    track.enabled = kind === 'audio' ? !this.micMuted() : !this.cameraOff();
    // While the screen is shared the new camera waits for the share to stop.
    if (kind === 'audio' || !this.screen()) await replace(kind, track);
    const old = kind === 'audio' ? current.getAudioTracks() : current.getVideoTracks();
    old.forEach((t) => t.stop());
    const others = kind === 'audio' ? current.getVideoTracks() : current.getAudioTracks();
    this.stream.set(new MediaStream([...others, track]));
  }

  /** Shares a screen (the browser asks which) in place of the camera. */
  async shareScreen(
    replace: ReplaceTrack,
    getDisplayMedia: () => Promise<MediaStream>,
    onStopped: () => void,
  ): Promise<void> {
    if (this.screen() || this.released) return;
    const display = await getDisplayMedia();
    const [track] = display.getVideoTracks();
    if (!track) throw new Error('The browser shared no picture.');
    if (this.released) {
      track.stop();
      return;
    }
    // The browser's own "Stop sharing" bar ends the track; the camera comes back then.
    track.addEventListener('ended', onStopped, { once: true });
    this.screen.set(track);
    await replace('video', track);
  }

  /** Stops sharing and puts the camera (or nothing, without one) back on the sender. */
  async stopScreenShare(replace: ReplaceTrack): Promise<void> {
    const track = this.screen();
    if (!track) return;
    this.screen.set(null);
    track.stop();
    if (this.released) return;
    await replace('video', this.stream()?.getVideoTracks()[0] ?? null);
  }

  /** Stops every track (the camera light goes off), including one still being opened. */
  release(): void {
    this.released = true;
    this.screen()?.stop();
    this.screen.set(null);
    this.stream()
      ?.getTracks()
      .forEach((t) => t.stop());
    this.stream.set(null);
  }
}
