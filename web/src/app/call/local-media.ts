import { signal } from '@angular/core';

import type { MediaDevicesService } from './media-devices.service';

/** The part of {@link MediaDevicesService} local media uses; a fake in unit tests. */
export type MediaDeviceSource = Pick<
  MediaDevicesService,
  'open' | 'openTrack' | 'cameraId' | 'microphoneId'
>;

/**
 * This side's camera and microphone for one call (one instance per call): opened once,
 * muted or blanked by toggling track `enabled`, switched mid-call, and always released at
 * the end.
 */
export class LocalMedia {
  readonly stream = signal<MediaStream | null>(null);
  /** Why there is less media than asked for (refused, no camera, …), as a sentence. */
  readonly problem = signal<string | null>(null);
  readonly micMuted = signal(false);
  readonly cameraOff = signal(false);
  private opening: Promise<MediaStream | null> | null = null;
  /** Set by {@link release}: a device that opens after its call ended is closed again. */
  private released = false;

  constructor(private readonly devices: MediaDeviceSource) {}

  /** Opens camera and microphone once for this call; later calls share the same result. */
  open(): Promise<MediaStream | null> {
    if (this.released) return Promise.resolve(null);
    this.opening ??= this.devices.open().then(({ stream, problem }) => {
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

  toggleCamera(): void {
    this.cameraOff.update((off) => !off);
    this.stream()
      ?.getVideoTracks()
      .forEach((t) => (t.enabled = !this.cameraOff()));
  }

  /** Opens another camera or microphone and hands its track to `replace` (the sender). */
  async switchDevice(
    kind: 'audio' | 'video',
    deviceId: string,
    replace: (kind: 'audio' | 'video', track: MediaStreamTrack) => Promise<void>,
  ): Promise<void> {
    if (kind === 'audio') this.devices.microphoneId.set(deviceId);
    else this.devices.cameraId.set(deviceId);
    const current = this.stream();
    if (!current) return;
    const track = await this.devices.openTrack(kind, deviceId);
    track.enabled = kind === 'audio' ? !this.micMuted() : !this.cameraOff();
    await replace(kind, track);
    const old = kind === 'audio' ? current.getAudioTracks() : current.getVideoTracks();
    old.forEach((t) => t.stop());
    const others = kind === 'audio' ? current.getVideoTracks() : current.getAudioTracks();
    this.stream.set(new MediaStream([...others, track]));
  }

  /** Stops every track (the camera light goes off), including one still being opened. */
  release(): void {
    this.released = true;
    this.stream()
      ?.getTracks()
      .forEach((t) => t.stop());
    this.stream.set(null);
  }
}
