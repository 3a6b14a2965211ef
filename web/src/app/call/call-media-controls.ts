import type { LocalMedia, ReplaceTrack } from './local-media';
import type { PeerChannel } from './peer-channel';

/**
 * The in-call controls over what this side sends: microphone, camera, device switch and
 * screen share. Each changes {@link LocalMedia} and the outgoing senders (through
 * `replaceTrack`, whatever connection the call has at the time), and every change the
 * other side shows (muted, camera off, sharing) is announced to it over the data channel
 * right after, so its screen never shows a stale state.
 */
export class CallMediaControls {
  constructor(
    private readonly media: LocalMedia,
    private readonly channel: Pick<PeerChannel, 'sendMediaState'>,
    private readonly replaceTrack: ReplaceTrack,
    /** The browser's screen picker; `navigator.mediaDevices.getDisplayMedia` if not given. */
    private readonly getDisplayMedia: () => Promise<MediaStream> = () =>
      navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }),
  ) {}

  toggleMicrophone(): void {
    this.media.toggleMicrophone();
    this.channel.sendMediaState();
  }

  /** Camera off/on; in a voice call the first "on" opens the camera and renegotiates. */
  async toggleCamera(): Promise<void> {
    await this.media.toggleCamera(this.replaceTrack);
    this.channel.sendMediaState();
  }

  /** Switches camera or microphone mid-call without renegotiating (nothing to announce). */
  switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    return this.media.switchDevice(kind, deviceId, this.replaceTrack);
  }

  /**
   * Sends a shared screen instead of the camera until {@link stopScreenShare}, or until
   * the browser's own "Stop sharing" ends it (the camera comes back then too).
   */
  async shareScreen(): Promise<void> {
    await this.media.shareScreen(this.replaceTrack, this.getDisplayMedia, () => {
      this.stopScreenShare().catch((error: unknown) =>
        console.warn('[call] could not put the camera back', error),
      );
    });
    this.channel.sendMediaState();
  }

  async stopScreenShare(): Promise<void> {
    await this.media.stopScreenShare(this.replaceTrack);
    this.channel.sendMediaState();
  }
}
