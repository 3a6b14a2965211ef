import { signal } from '@angular/core';

import type { MediaDevicesService } from './media-devices.service';

/**
 * This side's camera and microphone for the current call: opened once per call, muted or
 * blanked by toggling track `enabled`, switched mid-call, and always released at the end.
 */
export class LocalMedia {
  readonly stream = signal<MediaStream | null>(null);
  /** Why there is less media than asked for (refused, no camera, …), as a sentence. */
  readonly problem = signal<string | null>(null);
  readonly micMuted = signal(false);
  readonly cameraOff = signal(false);
  private opening: Promise<MediaStream | null> | null = null;
  /** Bumped by {@link reset}: a device that opens after its call ended is closed again. */
  private generation = 0;
  private released = false;

  constructor(private readonly devices: MediaDevicesService) {}

  /** Opens camera and microphone once for this call; later calls share the same result. */
  open(): Promise<MediaStream | null> {
    const generation = this.generation;
    this.opening ??= this.devices.open().then(({ stream, problem }) => {
      if (this.released || generation !== this.generation) {
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

  /** Fresh state for the next call. */
  reset(): void {
    this.release();
    this.generation++;
    this.opening = null;
    this.released = false;
    this.problem.set(null);
    this.micMuted.set(false);
    this.cameraOff.set(false);
  }
}
