import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  type ElementRef,
  afterRenderEffect,
  computed,
  effect,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Router } from '@angular/router';
import { interval, map } from 'rxjs';

import { SparklineComponent } from '../shared/sparkline.component';
import { SrcObjectDirective } from '../shared/src-object.directive';
import { formatBitrate, formatDuration } from '../shared/format';
import { SignalingClient } from '../signaling/signaling-client';
import { initialsOf, remoteMediaSentences } from './call-sentences';
import { CallService } from './call.service';
import { afterFirstPicture } from './first-picture';
import { ChatPanelComponent } from './chat-panel.component';
import { MediaDevicesService, SPEAKER_SELECTION_SUPPORTED } from './media-devices.service';
import { describePair, describePath } from './stats';

/** The call screen: ringing, then video, controls, connection badge and live stats. */
@Component({
  selector: 'cg-call',
  imports: [SrcObjectDirective, SparklineComponent, ChatPanelComponent],
  templateUrl: './call.component.html',
  styleUrl: './call.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CallComponent {
  protected readonly calls = inject(CallService);
  protected readonly devices = inject(MediaDevicesService);
  protected readonly signaling = inject(SignalingClient);
  private readonly router = inject(Router);
  private readonly now = toSignal(interval(1000).pipe(map(() => Date.now())), {
    initialValue: Date.now(),
  });

  protected readonly speakerSupported = SPEAKER_SELECTION_SUPPORTED;
  protected readonly screenShareSupported =
    typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getDisplayMedia;
  protected readonly pictureInPictureSupported =
    typeof document !== 'undefined' && document.pictureInPictureEnabled === true;
  private readonly remoteVideo = viewChild<ElementRef<HTMLVideoElement>>('remoteVideo');
  protected readonly showStats = signal(true);
  protected readonly state = this.calls.state;
  /** A caller's screen opens while it rings: its devices are there from the start. */
  protected readonly openedRinging = this.state().name === 'outgoing';
  /** Back on the screen of a call that is already up (not its answer): all of it at once. */
  private readonly openedLive =
    this.state().name === 'connected' || this.state().name === 'reconnecting';
  /**
   * Chat, devices and the stats panel: rendered only once the other side's first picture
   * is up (see {@link afterFirstPicture}), so that the answer (the callee's click, the
   * caller's "accepted") renders just the header, the videos and the controls while the
   * connection is being set up.
   */
  protected readonly settled = signal(this.openedLive);
  private settling = false;
  protected readonly peerName = computed(() => {
    const s = this.state();
    return s.name === 'idle' ? '' : s.peer.displayName || s.peer.username;
  });
  protected readonly statusText = computed(() => {
    switch (this.state().name) {
      case 'outgoing':
        return `Calling ${this.peerName()}…`;
      case 'connecting':
        return 'Connecting…';
      case 'connected':
        return 'Connected';
      case 'reconnecting':
        return 'Reconnecting…';
      // The incoming dialog and the ended sentence speak for these states.
      case 'idle':
      case 'incoming':
      case 'ended':
        return '';
    }
  });
  protected readonly duration = computed(() => {
    const s = this.state();
    if (s.name !== 'connected' && s.name !== 'reconnecting') return null;
    return formatDuration((this.now() - s.connectedAt) / 1000);
  });
  protected readonly badge = computed(() => describePath(this.calls.stats()?.path ?? null));
  protected readonly relayed = computed(() => this.badge().startsWith('Relayed'));
  protected readonly pair = computed(() => describePair(this.calls.stats()?.path ?? null));
  protected readonly sample = this.calls.stats;
  protected readonly series = computed(() => {
    const history = this.calls.statsHistory();
    return {
      rtt: history.map((s) => s.rttMs),
      out: history.map((s) => s.outBitrate),
      in: history.map((s) => s.inBitrate),
      loss: history.map((s) => s.packetLossPercent),
      fps: history.map((s) => s.fps),
    };
  });
  protected readonly formatBitrate = formatBitrate;
  /** What the other side's media is doing, as sentences (read out politely). */
  protected readonly remoteSentences = computed(() =>
    remoteMediaSentences(this.peerName(), this.calls.remoteMedia()),
  );
  protected readonly showInitials = computed(() => this.calls.remoteMedia()?.cameraOff === true);
  protected readonly initials = computed(() => initialsOf(this.peerName()));

  constructor() {
    // Nothing to show without a call in progress: back to the contacts (the shell shows
    // the end sentence there).
    effect(() => {
      const name = this.state().name;
      if (name === 'idle' || name === 'ended') void this.router.navigateByUrl('/contacts');
    });
    if (this.openedRinging || this.openedLive) void this.devices.refresh();
    const destroyRef = inject(DestroyRef);
    afterRenderEffect(() => {
      const name = this.state().name;
      const answered = name === 'connecting' || name === 'connected' || name === 'reconnecting';
      if (!answered || this.settling || this.settled()) return;
      this.settling = true;
      const cancel = afterFirstPicture(this.remoteVideo()?.nativeElement, () => {
        this.settled.set(true);
        if (!this.openedRinging) void this.devices.refresh(); // not refreshed at creation
      });
      destroyRef.onDestroy(cancel);
    });
  }

  /** The shell's remote-audio element follows this choice (see AppComponent). */
  protected selectSpeaker(deviceId: string): void {
    this.devices.speakerId.set(deviceId);
  }

  protected toggleCamera(): void {
    this.calls.toggleCamera().catch((error: unknown) => {
      this.calls.reportMediaProblem(
        error instanceof Error
          ? `The camera could not be opened: ${error.message}`
          : 'The camera could not be opened.',
      );
    });
  }

  protected shareScreen(): void {
    this.calls.shareScreen().catch((error: unknown) => {
      // Closing the browser's picker is a choice, not a problem (a Permissions-Policy that
      // forbids display-capture looks the same: the console says which).
      if (error instanceof DOMException && error.name === 'NotAllowedError') {
        console.info('[call] screen share not started:', error.message);
        return;
      }
      this.calls.reportMediaProblem('The screen could not be shared.');
    });
  }

  protected stopSharing(): void {
    this.calls.stopScreenShare().catch(() => {
      this.calls.reportMediaProblem('The camera could not be restored after sharing.');
    });
  }

  protected pictureInPicture(): void {
    const video = this.remoteVideo()?.nativeElement;
    if (!video) return;
    const request = document.pictureInPictureElement
      ? document.exitPictureInPicture()
      : video.requestPictureInPicture();
    request.catch(() => this.calls.reportMediaProblem('Picture-in-picture is not available now.'));
  }

  protected switchDevice(kind: 'audio' | 'video', deviceId: string): void {
    this.calls.switchDevice(kind, deviceId).catch((error: unknown) => {
      this.calls.reportMediaProblem(
        error instanceof Error ? error.message : 'The device could not be opened.',
      );
    });
  }

  protected number(value: number | null, digits = 0, unit = ''): string {
    return value === null ? '–' : `${value.toFixed(digits)}${unit}`;
  }
}
