import { signal } from '@angular/core';
import type { CallRole, SessionDescriptionPayload, UserSummary } from '@callgate/protocol';
import { type Subscription, filter } from 'rxjs';

import type { EndReason } from './call-state';
import { IncomingCallAlert } from './incoming-call-alert';
import { LocalMedia, type MediaDeviceSource, type ReplaceTrack } from './local-media';
import { PeerChannel } from './peer-channel';
import { PeerSession } from './peer-session';
import type { NegotiationMessage } from './perfect-negotiation';
import { HeldSignals, RingingNegotiation } from './ringing-negotiation';
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
 * the call reached.
 *
 * Pre-negotiation: the connection is created while the call rings. The caller's offer
 * and candidates wait in {@link HeldSignals} only until the invite has an id; the
 * callee applies that offer and gathers its pooled candidates, but its answer, its
 * candidates and the caller's candidates wait for {@link answer} (see
 * {@link RingingNegotiation}): before Accept nothing of the callee leaves the device.
 */
export class ActiveCall {
  readonly media: LocalMedia;
  /** Media state and chat with the other side, over the data channel. */
  readonly channel: PeerChannel;
  readonly remoteStream = signal<MediaStream | null>(null);
  readonly stats = signal<StatsSample | null>(null);
  readonly statsHistory = signal<readonly StatsSample[]>([]);
  readonly relayOnly = signal(false);
  private id: string | null;
  private readonly alert = new IncomingCallAlert();
  private session: PeerSession | null = null;
  private dataChannel: RTCDataChannel | null = null;
  private sessionReady = Promise.withResolvers<PeerSession | null>();
  private subscriptions: Subscription[] = [];
  private mediaTimer: ReturnType<typeof setTimeout> | null = null;
  private closedWith: EndReason | null = null;
  private connecting: Promise<boolean> | null = null;
  /** Outgoing negotiation: held until the call id (caller) or the Accept (callee). */
  private readonly outgoing = new HeldSignals((message) => {
    if (this.id !== null && !this.closed) this.options.sendSignal(this.id, message);
  });
  /** The callee's negotiation while it rings; `null` once answered. */
  private ringing: RingingNegotiation | null = null;
  private answered = false;
  /** Incoming signals and the answer run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** While set, signals are dropped: they belong to a connection that no longer exists. */
  private holdingSignals = false;
  /** Caller: the answer applied from `call:accepted`, whose `signal` copy is ignored. */
  private acceptedAnswerSdp: string | null = null;

  constructor(
    callId: string | null,
    private readonly options: ActiveCallOptions,
  ) {
    this.id = callId;
    this.media = new LocalMedia(options.devices, options.video);
    this.channel = new PeerChannel(() => this.media.peerState());
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
    return this.session?.pc ?? null;
  }

  /** Whether a `signal` received now is for this call's current connection. */
  get acceptsSignals(): boolean {
    return !this.closed && !this.holdingSignals;
  }

  /** Drops signals until {@link acceptSignals}: used while rejoining with a fresh connection. */
  holdSignals(): void {
    this.holdingSignals = true;
  }

  acceptSignals(): void {
    this.holdingSignals = false;
  }

  /** Records the id the gateway gave the invite; the caller's offer may leave now. */
  attach(callId: string): void {
    this.id ??= callId;
    if (this.options.role === 'caller') this.outgoing.open();
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
    if (this.closed || this.session) return false;
    const callee = this.options.role === 'callee';
    const send = (message: NegotiationMessage) => this.outgoing.send(message);
    const session = new PeerSession({
      iceServers,
      relayOnly: this.options.relayOnly(),
      polite: callee,
      // No candidate pool for the ringing callee: it gathers once it answers the offer
      // locally, moments later. With a pool of 1, Chromium sometimes gathered nothing at all
      // (its pooled session never started: no candidate, no allocation, the call never
      // connected; about 1 call in 20 in the bench, docs/STACK.md).
      localStream,
      send,
      freshIceServers: this.options.freshIceServers,
      createPeerConnection: this.options.createPeerConnection,
    });
    if (callee && !this.answered)
      this.ringing = new RingingNegotiation(session.pc, send, session.relayOnly);
    this.session = session;
    this.dataChannel = session.pc.createDataChannel(DATA_CHANNEL_LABEL, {
      negotiated: true,
      id: DATA_CHANNEL_ID,
    });
    this.channel.attach(this.dataChannel);
    this.relayOnly.set(session.relayOnly);
    this.remoteStream.set(new MediaStream(session.remoteStream.getTracks()));
    this.subscriptions.push(
      session.remoteTracks$.subscribe(() =>
        this.remoteStream.set(new MediaStream(session.remoteStream.getTracks())),
      ),
      session.connectionState$.subscribe((s) => this.options.onConnectionState(s)),
      // An extra sample the moment media can flow: the badge names the path at once.
      sampleStats(
        () => session.getStats(),
        undefined,
        undefined,
        session.connectionState$.pipe(filter((s) => s === 'connected')),
      ).subscribe((sample) => {
        this.stats.set(sample);
        this.statsHistory.update((h) => [...h, sample].slice(-STATS_HISTORY));
      }),
    );
    this.sessionReady.resolve(session);
    return true;
  }

  /**
   * Callee, on Accept: waits until the connection exists and what arrived is applied, then
   * returns the answer (set while it rang, see {@link RingingNegotiation}) for
   * `call:accept` to carry.
   * `hasOffer: false` when the offer is not here (the caller is then asked to resend it).
   * The caller's held candidates go to ICE now (the person chose to answer); this side's
   * own candidates still wait for {@link answer}, i.e. the gateway's acknowledgement.
   */
  async prepareAnswer(): Promise<{ hasOffer: boolean; answer?: RTCSessionDescriptionInit }> {
    // Outside the queue: a queued signal may be waiting for this very connection.
    await this.connect().catch(() => false);
    return this.serially(async () => {
      const ringing = this.ringing;
      if (!ringing?.hasOffer || this.closed) return { hasOffer: false };
      const answer = await ringing.answerNow();
      // No answer after all (the offer could not be answered): the caller resends it and
      // the regular negotiation answers, as for a tab that never got it.
      return answer ? { hasOffer: true, answer } : { hasOffer: false };
    });
  }

  /**
   * The call was answered. Callee: its answer and candidates may leave now, and ICE gets
   * the caller's candidates. Caller: `resendOffer` when the accepting tab missed what was
   * sent while it rang. Both: the media timer starts.
   */
  answer(resendOffer = false): Promise<void> {
    this.answered = true;
    return this.serially(async () => {
      if (this.closed) return;
      this.outgoing.open();
      if (resendOffer) this.outgoing.replay();
      this.outgoing.settle();
      const ringing = this.ringing;
      this.ringing = null;
      this.armMediaTimer('No network path to the other person was found in time.');
      await ringing?.accept();
    });
  }

  /**
   * This tab picks up a call that was answered before it was reloaded (rejoin). Nothing is
   * held for a call id or an Accept, and the connection created next is not a ringing
   * one: without this the fresh connection's offer (caller) or answer (callee) would wait
   * for an Accept that never comes, and neither side would ever connect. Call before
   * {@link connect}; the media timer runs as after an answer.
   */
  resumeAnswered(): void {
    if (this.closed) return;
    this.answered = true;
    this.outgoing.open();
    this.outgoing.settle();
    this.armMediaTimer('No network path to the other person was found in time.');
  }

  /**
   * The other side came back with a fresh connection (its page was reloaded): drop ours
   * and negotiate a new one, keeping camera, microphone, chat and the call itself.
   */
  async reconnect(): Promise<boolean> {
    if (this.closed) return false;
    this.closeConnection();
    this.sessionReady = Promise.withResolvers<PeerSession | null>();
    return this.connect();
  }

  /** Applies one negotiation message; one that arrives before {@link connect} waits for it. */
  handleSignal(message: NegotiationMessage): Promise<void> {
    if (this.isAppliedAnswer(message)) return Promise.resolve();
    return this.apply(message);
  }

  /**
   * Caller: the callee's answer that came inside `call:accepted`, applied before the page
   * turns into the call view. Its copy that follows as a `signal` is then ignored.
   */
  applyAcceptedAnswer(answer: SessionDescriptionPayload): Promise<void> {
    this.acceptedAnswerSdp = answer.sdp ?? null;
    return this.apply({ description: answer });
  }

  /** The `signal` copy of the answer already applied from `call:accepted` (once). */
  private isAppliedAnswer({ description }: NegotiationMessage): boolean {
    if (description?.type !== 'answer' || description.sdp !== this.acceptedAnswerSdp) return false;
    this.acceptedAnswerSdp = null;
    return true;
  }

  private apply(message: NegotiationMessage): Promise<void> {
    return this.serially(async () => {
      const session = await this.sessionReady.promise;
      if (!session || this.closed) return;
      if (this.ringing && (await this.ringing.receive(message))) return;
      await session.handle(message);
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  getStats(): Promise<RTCStatsReport> | null {
    return this.session?.getStats() ?? null;
  }

  toggleMicrophone(): void {
    this.media.toggleMicrophone();
    this.channel.sendMediaState();
  }

  /** Camera off/on; in a voice call the first "on" opens the camera and renegotiates. */
  async toggleCamera(): Promise<void> {
    await this.media.toggleCamera(this.replaceTrack);
    this.channel.sendMediaState();
  }

  /** Switches camera or microphone mid-call without renegotiating. */
  switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    return this.media.switchDevice(kind, deviceId, this.replaceTrack);
  }

  /** Sends a shared screen instead of the camera until {@link stopScreenShare}. */
  async shareScreen(): Promise<void> {
    const getDisplayMedia =
      this.options.getDisplayMedia ??
      (() => navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }));
    await this.media.shareScreen(this.replaceTrack, getDisplayMedia, () => {
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

  /**
   * Starts (or restarts) the countdown after which the call gives up on media. A connection
   * that is up when it runs out is never given up on: it may have come up before the timer
   * was armed (the callee answers the caller's checks while its `call:accept` ack and queued
   * {@link answer} are still on their way), and then no "connected" event clears the timer.
   */
  armMediaTimer(detail: string): void {
    this.clearMediaTimer();
    if (this.closed) return;
    this.mediaTimer = setTimeout(() => {
      this.mediaTimer = null;
      if (!this.closed && this.session?.pc.connectionState !== 'connected') {
        this.options.onMediaTimeout(detail);
      }
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
    this.outgoing.close();
    this.closeConnection();
    this.media.release();
  }

  private readonly replaceTrack: ReplaceTrack = async (kind, track) => {
    await this.session?.replaceTrack(kind, track);
  };

  /** The connection half of {@link close}: timers, stats, data channel, peer connection. */
  private closeConnection(): void {
    this.clearMediaTimer();
    this.subscriptions.forEach((s) => s.unsubscribe());
    this.subscriptions = [];
    // A fresh connection (reconnect) is created and gathered anew, never the old one.
    this.connecting = null;
    this.ringing?.close();
    this.ringing = null;
    this.channel.close();
    this.dataChannel?.close();
    this.dataChannel = null;
    this.session?.close();
    this.session = null;
    this.sessionReady.resolve(null);
    this.remoteStream.set(null);
  }
}
