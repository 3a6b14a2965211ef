import { signal } from '@angular/core';
import type { CallRole, SessionDescriptionPayload, UserSummary } from '@callgate/protocol';

import { CallConnection, DATA_CHANNEL_ID, DATA_CHANNEL_LABEL } from './call-connection';
import { CallMediaControls } from './call-media-controls';
import { CallNegotiation } from './call-negotiation';
import type { EndReason } from './call-state';
import { IncomingCallAlert } from './incoming-call-alert';
import { LocalMedia, type MediaDeviceSource, type ReplaceTrack } from './local-media';
import { MEDIA_TIMEOUT_MS, MediaTimer } from './media-timer';
import { PeerChannel } from './peer-channel';
import type { NegotiationMessage } from './perfect-negotiation';
import type { StatsSample } from './stats';

// Callers (the service, the specs) read these where they always did.
export { DATA_CHANNEL_ID, DATA_CHANNEL_LABEL, MEDIA_TIMEOUT_MS };

const NO_PATH = 'No network path to the other person was found in time.';

/** What an {@link ActiveCall} needs from the app; the service wires the real ones. */
export interface ActiveCallOptions {
  peer: UserSummary;
  role: CallRole;
  /** `false` for a voice call: no camera until the person turns it on. */
  video: boolean;
  devices: MediaDeviceSource;
  /** TURN credentials for the connection: the pushed ones while valid, else fetched. */
  iceServers: () => Promise<RTCIceServer[]>;
  /** Fresh TURN credentials, fetched before every ICE restart. */
  freshIceServers: () => Promise<RTCIceServer[]>;
  /** Whether Relay only is on; read when the connection is created. */
  relayOnly: () => boolean;
  createPeerConnection: (configuration: RTCConfiguration) => RTCPeerConnection;
  /** Sends one negotiation message of this call over signaling. */
  sendSignal: (callId: string, message: NegotiationMessage) => void;
  /** The peer connection's aggregate state changed. */
  onConnectionState: (state: RTCPeerConnectionState) => void;
  /** Media did not (re)connect within {@link MEDIA_TIMEOUT_MS}; `detail` says why. */
  onMediaTimeout: (detail: string) => void;
  /** The browser's screen picker (`navigator.mediaDevices.getDisplayMedia`). */
  getDisplayMedia?: () => Promise<MediaStream>;
}

/**
 * Everything one call holds on this device: the ring, local media, the peer connection,
 * the data channel, stats sampling and the media timer. It exists from the invite (or the
 * incoming ring) on, and {@link close} is the one place all of it is released, whatever
 * the call reached. The negotiation over signaling ({@link CallNegotiation}), the media
 * countdown ({@link MediaTimer}) and the in-call controls ({@link CallMediaControls})
 * are its parts; this class creates and replaces the connection they work on.
 *
 * Pre-negotiation: the connection is created while the call rings. The caller's offer
 * and candidates wait in `HeldSignals` only until the invite has an id; the
 * callee applies that offer and gathers its pooled candidates, but its answer, its
 * candidates and the caller's candidates wait for {@link answer} (see
 * `RingingNegotiation`): before Accept nothing of the callee leaves the device.
 */
export class ActiveCall {
  readonly media: LocalMedia;
  /** Media state and chat with the other side, over the data channel. */
  readonly channel: PeerChannel;
  readonly remoteStream = signal<MediaStream | null>(null);
  readonly stats = signal<StatsSample | null>(null);
  readonly statsHistory = signal<readonly StatsSample[]>([]);
  readonly relayOnly = signal(false);
  /** Microphone, camera, device switch and screen share, each announced to the other side. */
  readonly controls: CallMediaControls;
  private id: string | null;
  private readonly alert = new IncomingCallAlert();
  private connection: CallConnection | null = null;
  private closedWith: EndReason | null = null;
  private connecting: Promise<boolean> | null = null;
  private readonly negotiation: CallNegotiation;
  private readonly mediaTimer: MediaTimer;

  constructor(
    callId: string | null,
    private readonly options: ActiveCallOptions,
  ) {
    this.id = callId;
    this.media = new LocalMedia(options.devices, options.video);
    this.channel = new PeerChannel(() => this.media.peerState());
    this.negotiation = new CallNegotiation({
      role: options.role,
      deliver: (message) => {
        if (this.id !== null && !this.closed) this.options.sendSignal(this.id, message);
      },
      closed: () => this.closed,
      onAnswered: () => this.armMediaTimer(NO_PATH),
    });
    this.mediaTimer = new MediaTimer({
      connectionState: () => this.connection?.session.pc.connectionState ?? null,
      onTimeout: (detail) => {
        if (!this.closed) this.options.onMediaTimeout(detail);
      },
    });
    // Whatever connection the call has when a control is used (a rejoin replaces it).
    const replaceTrack: ReplaceTrack = async (kind, track) => {
      await this.connection?.session.replaceTrack(kind, track);
    };
    this.controls = new CallMediaControls(
      this.media,
      this.channel,
      replaceTrack,
      options.getDisplayMedia,
    );
  }

  get video(): boolean {
    return this.options.video;
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
    return this.connection?.session.pc ?? null;
  }

  /** Whether a `signal` received now is for this call's current connection. */
  get acceptsSignals(): boolean {
    return this.negotiation.acceptsSignals;
  }

  /** Drops signals until {@link acceptSignals}: used while rejoining with a fresh connection. */
  holdSignals(): void {
    this.negotiation.holdSignals();
  }

  acceptSignals(): void {
    this.negotiation.acceptSignals();
  }

  /** Records the id the gateway gave the invite; the caller's offer may leave now. */
  attach(callId: string): void {
    this.id ??= callId;
    this.negotiation.attached();
  }

  /** Rings (tone, title, notification) until answered or closed. */
  ring(): void {
    if (this.closed || this.id === null) return;
    this.alert.start(this.id, this.options.peer);
  }

  stopRinging(): void {
    this.alert.silence();
  }

  /** Opens camera and microphone once for this call. */
  openMedia(): Promise<MediaStream | null> {
    return this.media.open();
  }

  /**
   * Creates the peer connection (once) with TURN credentials and this call's media, and
   * starts stats. Called while ringing on both sides, and again at the answer in case that
   * failed. Resolves `false` when the call was closed meanwhile or the connection already
   * exists; rejects when the credentials could not be fetched (a later call retries).
   */
  connect(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.connecting !== null) return this.connecting.then(() => false);
    this.connecting = this.createConnection().catch((error: unknown) => {
      this.connecting = null;
      throw error;
    });
    return this.connecting;
  }

  private async createConnection(): Promise<boolean> {
    if (this.closed) return false;
    const [iceServers, localStream] = await Promise.all([
      this.options.iceServers(),
      this.media.open(),
    ]);
    if (this.closed || this.connection) return false;
    const connection = new CallConnection(
      {
        iceServers,
        relayOnly: this.options.relayOnly(),
        polite: this.options.role === 'callee',
        // No candidate pool for the ringing callee: it gathers once it answers the offer
        // locally, moments later. With a pool of 1, Chromium sometimes gathered nothing at
        // all (its pooled session never started: no candidate, no allocation, the call never
        // connected; about 1 call in 20 in the bench, docs/STACK.md).
        localStream,
        send: this.negotiation.send,
        freshIceServers: this.options.freshIceServers,
        createPeerConnection: this.options.createPeerConnection,
      },
      {
        channel: this.channel,
        remoteStream: this.remoteStream,
        stats: this.stats,
        statsHistory: this.statsHistory,
        onConnectionState: (s) => this.options.onConnectionState(s),
      },
    );
    this.connection = connection;
    this.relayOnly.set(connection.session.relayOnly);
    this.negotiation.sessionCreated(connection.session);
    return true;
  }

  /**
   * Callee, on Accept: the answer for `call:accept` to carry, once the connection exists
   * ({@link CallNegotiation.prepareAnswer}). The caller's held candidates go to ICE now;
   * this side's own still wait for {@link answer}, i.e. the gateway's acknowledgement.
   */
  async prepareAnswer(): Promise<{ hasOffer: boolean; answer?: RTCSessionDescriptionInit }> {
    // Outside the queue: a queued signal may be waiting for this very connection.
    await this.connect().catch(() => false);
    return this.negotiation.prepareAnswer();
  }

  /**
   * The call was answered: what was held leaves, the media timer starts. Caller:
   * `resendOffer` when the accepting tab missed what was sent while it rang.
   */
  answer(resendOffer = false): Promise<void> {
    return this.negotiation.answer(resendOffer);
  }

  /**
   * This tab picks up a call answered before it was reloaded (rejoin; see
   * {@link CallNegotiation.resumeAnswered}). Call before {@link connect}.
   */
  resumeAnswered(): void {
    this.negotiation.resumeAnswered();
  }

  /**
   * The other side came back with a fresh connection (its page was reloaded): drop ours
   * and negotiate a new one, keeping camera, microphone, chat and the call itself.
   */
  async reconnect(): Promise<boolean> {
    if (this.closed) return false;
    this.closeConnection();
    this.negotiation.expectSession();
    return this.connect();
  }

  /** Applies one negotiation message; one that arrives before {@link connect} waits for it. */
  handleSignal(message: NegotiationMessage): Promise<void> {
    return this.negotiation.handleSignal(message);
  }

  /**
   * Caller: the callee's answer that came inside `call:accepted`, applied before the page
   * turns into the call view. Its copy that follows as a `signal` is then ignored.
   */
  applyAcceptedAnswer(answer: SessionDescriptionPayload): Promise<void> {
    return this.negotiation.applyAcceptedAnswer(answer);
  }

  getStats(): Promise<RTCStatsReport> | null {
    return this.connection?.session.getStats() ?? null;
  }

  /**
   * Starts (or restarts) the countdown after which the call gives up on media; never on a
   * connection that is up when it runs out (see {@link MediaTimer}).
   */
  armMediaTimer(detail: string): void {
    this.mediaTimer.clear();
    if (this.closed) return;
    this.mediaTimer.arm(detail);
  }

  clearMediaTimer(): void {
    this.mediaTimer.clear();
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
    this.negotiation.close();
    this.closeConnection();
    this.media.release();
  }

  /** The connection half of {@link close}: timers, stats, data channel, peer connection. */
  private closeConnection(): void {
    this.mediaTimer.clear();
    // A fresh connection (reconnect) is created and gathered anew, never the old one.
    this.connecting = null;
    this.connection?.close();
    this.connection = null;
    // After the session is gone: what waited for it sees `null` and applies nothing.
    this.negotiation.sessionClosed();
    this.remoteStream.set(null);
  }
}
