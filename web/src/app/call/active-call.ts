import { signal } from '@angular/core';
import type { CallRole, UserSummary } from '@callgate/protocol';
import type { Subscription } from 'rxjs';

import type { EndReason } from './call-state';
import { IncomingCallAlert } from './incoming-call-alert';
import { LocalMedia, type MediaDeviceSource } from './local-media';
import { PeerSession } from './peer-session';
import type { NegotiationMessage } from './perfect-negotiation';
import { STATS_HISTORY, type StatsSample } from './stats';
import { sampleStats } from './stats-sampler';

/** Give up when media has not (re)connected within this long. */
export const MEDIA_TIMEOUT_MS = 30_000;

/**
 * The in-call data channel: pre-negotiated (same id on both sides), so neither side has to
 * wait for the other to create it and a fresh connection after a rejoin gets it again.
 */
export const DATA_CHANNEL_LABEL = 'callgate';
export const DATA_CHANNEL_ID = 0;

/** What an {@link ActiveCall} needs from the app; the service wires the real ones. */
export interface ActiveCallOptions {
  peer: UserSummary;
  role: CallRole;
  devices: MediaDeviceSource;
  /** Fresh TURN credentials (fetched before the connection and before every ICE restart). */
  iceServers: () => Promise<RTCIceServer[]>;
  /** Whether Relay only is on; read when the connection is created. */
  relayOnly: () => boolean;
  createPeerConnection: (configuration: RTCConfiguration) => RTCPeerConnection;
  /** Sends one negotiation message of this call over signaling. */
  sendSignal: (callId: string, message: NegotiationMessage) => void;
  /** The peer connection's aggregate state changed. */
  onConnectionState: (state: RTCPeerConnectionState) => void;
  /** Media did not (re)connect within {@link MEDIA_TIMEOUT_MS}; `detail` says why. */
  onMediaTimeout: (detail: string) => void;
}

/**
 * Everything one call holds on this device: the ring, local media, the peer connection,
 * the data channel, stats sampling and the media timer. It exists from the invite (or the
 * incoming ring) on, so a call can prepare media and a connection before it is answered,
 * and {@link close} is the one place all of it is released, whatever the call reached.
 */
export class ActiveCall {
  readonly media: LocalMedia;
  readonly remoteStream = signal<MediaStream | null>(null);
  readonly stats = signal<StatsSample | null>(null);
  readonly statsHistory = signal<readonly StatsSample[]>([]);
  readonly relayOnly = signal(false);
  private id: string | null;
  private readonly alert = new IncomingCallAlert();
  private session: PeerSession | null = null;
  private channel: RTCDataChannel | null = null;
  private sessionReady = Promise.withResolvers<PeerSession | null>();
  private subscriptions: Subscription[] = [];
  private mediaTimer: ReturnType<typeof setTimeout> | null = null;
  private closedWith: EndReason | null = null;

  constructor(
    callId: string | null,
    private readonly options: ActiveCallOptions,
  ) {
    this.id = callId;
    this.media = new LocalMedia(options.devices);
  }

  get callId(): string | null {
    return this.id;
  }

  get peer(): UserSummary {
    return this.options.peer;
  }

  get role(): CallRole {
    return this.options.role;
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** Why {@link close} was called, or `null` while the call lives. */
  get endReason(): EndReason | null {
    return this.closedWith;
  }

  /** The peer connection, once {@link connect} created it. */
  get peerConnection(): RTCPeerConnection | null {
    return this.session?.pc ?? null;
  }

  get dataChannel(): RTCDataChannel | null {
    return this.channel;
  }

  /** Records the id the gateway gave the invite. */
  attach(callId: string): void {
    this.id ??= callId;
  }

  /** Rings (tone, title, notification) until answered or closed. */
  ring(): void {
    if (this.closed || this.id === null) return;
    this.alert.start(this.id, this.options.peer);
  }

  stopRinging(): void {
    this.alert.stop();
  }

  /** Opens camera and microphone once for this call. */
  openMedia(): Promise<MediaStream | null> {
    return this.media.open();
  }

  /**
   * Creates the peer connection with fresh TURN credentials and this call's media, starts
   * stats and the media timer. Resolves `false` when the call was closed meanwhile; rejects
   * when the credentials could not be fetched.
   */
  async connect(): Promise<boolean> {
    if (this.closed) return false;
    const [iceServers, localStream] = await Promise.all([
      this.options.iceServers(),
      this.media.open(),
    ]);
    if (this.closed || this.id === null || this.session) return false;
    const callId = this.id;
    const session = new PeerSession({
      iceServers,
      relayOnly: this.options.relayOnly(),
      polite: this.options.role === 'callee',
      localStream,
      send: (message) => this.options.sendSignal(callId, message),
      freshIceServers: this.options.iceServers,
      createPeerConnection: this.options.createPeerConnection,
    });
    this.session = session;
    this.channel = session.pc.createDataChannel(DATA_CHANNEL_LABEL, {
      negotiated: true,
      id: DATA_CHANNEL_ID,
    });
    this.relayOnly.set(session.relayOnly);
    this.remoteStream.set(new MediaStream(session.remoteStream.getTracks()));
    this.subscriptions.push(
      session.remoteTracks$.subscribe(() =>
        this.remoteStream.set(new MediaStream(session.remoteStream.getTracks())),
      ),
      session.connectionState$.subscribe((s) => this.options.onConnectionState(s)),
      sampleStats(() => session.getStats()).subscribe((sample) => {
        this.stats.set(sample);
        this.statsHistory.update((h) => [...h, sample].slice(-STATS_HISTORY));
      }),
    );
    this.armMediaTimer('No network path to the other person was found in time.');
    this.sessionReady.resolve(session);
    return true;
  }

  /** Applies one negotiation message; one that arrives before {@link connect} waits for it. */
  async handleSignal(message: NegotiationMessage): Promise<void> {
    const session = await this.sessionReady.promise;
    if (session && !this.closed) await session.handle(message);
  }

  getStats(): Promise<RTCStatsReport> | null {
    return this.session?.getStats() ?? null;
  }

  toggleMicrophone(): void {
    this.media.toggleMicrophone();
  }

  toggleCamera(): void {
    this.media.toggleCamera();
  }

  /** Switches camera or microphone mid-call without renegotiating. */
  switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    return this.media.switchDevice(kind, deviceId, async (k, track) => {
      await this.session?.replaceTrack(k, track);
    });
  }

  /** Starts (or restarts) the countdown after which the call gives up on media. */
  armMediaTimer(detail: string): void {
    this.clearMediaTimer();
    if (this.closed) return;
    this.mediaTimer = setTimeout(() => {
      this.mediaTimer = null;
      if (!this.closed) this.options.onMediaTimeout(detail);
    }, MEDIA_TIMEOUT_MS);
  }

  clearMediaTimer(): void {
    if (this.mediaTimer !== null) clearTimeout(this.mediaTimer);
    this.mediaTimer = null;
  }

  /**
   * Ends this call on this device: stops the ring, the timers and stats, closes the data
   * channel and the peer connection, and releases camera and microphone (also one still
   * being opened). Idempotent; the first reason is kept.
   */
  close(reason: EndReason): void {
    if (this.closed) return;
    this.closedWith = reason;
    this.alert.stop();
    this.clearMediaTimer();
    this.subscriptions.forEach((s) => s.unsubscribe());
    this.subscriptions = [];
    this.channel?.close();
    this.session?.close();
    this.sessionReady.resolve(null);
    this.media.release();
    this.remoteStream.set(null);
  }
}
