import { computed, signal } from '@angular/core';

import type { ActiveCall } from './active-call';
import { installDebugHook } from './debug-hook';
import { statsEntries } from './stats';

/**
 * What the screens read and control of the call in progress: every member delegates to
 * the current {@link ActiveCall} (or says "nothing" between calls). The call's lifecycle
 * lives in `CallService`, which extends this.
 */
export abstract class CurrentCall {
  /** The call on this device, from invite or ring until the next one begins. */
  protected readonly active = signal<ActiveCall | null>(null);

  readonly localStream = computed(() => this.active()?.media.stream() ?? null);
  readonly remoteStream = computed(() => this.active()?.remoteStream() ?? null);
  /** Why this side sends less than camera and microphone, as a sentence. */
  readonly mediaProblem = computed(() => this.active()?.media.problem() ?? null);
  readonly micMuted = computed(() => this.active()?.media.micMuted() ?? false);
  readonly cameraOff = computed(() => this.active()?.media.cameraOff() ?? false);
  readonly relayOnly = computed(() => this.active()?.relayOnly() ?? false);
  readonly sharingScreen = computed(() => (this.active()?.media.screen() ?? null) !== null);
  /** Whether the current call started as a voice call. */
  readonly voiceCall = computed(() => this.active()?.video === false);
  /** The other side's camera/microphone/screen as it told us over the data channel. */
  readonly remoteMedia = computed(() => this.active()?.channel.remoteMedia() ?? null);
  readonly chat = computed(() => this.active()?.channel.chat() ?? []);
  readonly chatOpen = computed(() => this.active()?.channel.open() ?? false);
  readonly stats = computed(() => this.active()?.stats() ?? null);
  readonly statsHistory = computed(() => this.active()?.statsHistory() ?? []);

  /** Whether a call is ringing or live (not idle, not ended). */
  protected abstract get inProgress(): boolean;

  toggleMicrophone(): void {
    this.active()?.controls.toggleMicrophone();
  }

  toggleCamera(): Promise<void> {
    return this.active()?.controls.toggleCamera() ?? Promise.resolve();
  }

  shareScreen(): Promise<void> {
    return this.active()?.controls.shareScreen() ?? Promise.resolve();
  }

  stopScreenShare(): Promise<void> {
    return this.active()?.controls.stopScreenShare() ?? Promise.resolve();
  }

  /** Sends a chat line to the other side; returns why not, as a sentence, or `null`. */
  sendChat(text: string): string | null {
    const call = this.active();
    if (!call || !this.inProgress) return 'There is no call to chat in.';
    return call.channel.sendChat(text);
  }

  /** Switches camera or microphone mid-call without renegotiating. */
  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    await this.active()?.controls.switchDevice(kind, deviceId);
  }

  /** Shows why a device could not be used, in the call's media notice. */
  reportMediaProblem(problem: string): void {
    this.active()?.media.problem.set(problem);
  }

  /** `window.callgateDebug` over the current call (see debug-hook.ts). */
  protected installDebugHook(stateName: () => string): void {
    installDebugHook({
      getStats: async () => {
        const report = this.active()?.getStats();
        return report ? statsEntries(await report) : [];
      },
      connectionState: () => this.active()?.peerConnection?.connectionState ?? null,
      iceTransportPolicy: () =>
        this.active()?.peerConnection?.getConfiguration().iceTransportPolicy ?? null,
      callState: stateName,
    });
  }
}
