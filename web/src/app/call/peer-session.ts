import { BehaviorSubject, Subject } from 'rxjs';

import { type NegotiationMessage, PerfectNegotiator } from './perfect-negotiation';

/** After this long in `disconnected`, ICE is restarted instead of waiting for it to recover. */
export const DISCONNECTED_RESTART_MS = 2_000;

/**
 * Fast start: the camera's first frames are encoded at most this tall, and at full size
 * {@link FAST_START_MS} after the connection is up. A fresh connection's bandwidth
 * estimate starts at 300 kbit/s (~196 kbit/s for video), at which libwebrtc drops the
 * first frames of anything above VGA and then reconfigures the encoder smaller anyway.
 * 180 px, not 360: at that rate libwebrtc's own log showed a 640×360 key frame take
 * ~19 ms to encode at QP 95–106, above the quality scaler's "scale down" threshold (95),
 * i.e. the first picture was as coarse as a smaller one and only slower to encode, send
 * and decode; 320×180 is the smallest size that scaler allows for VP8 (57,600 pixels).
 * Measured: docs/BENCHMARKS.md §1.
 */
export const FAST_START_HEIGHT = 180;
export const FAST_START_MS = 2_000;

export interface PeerSessionOptions {
  iceServers: RTCIceServer[];
  /** `iceTransportPolicy: 'relay'`: only TURN candidates are used. */
  relayOnly: boolean;
  /** The callee is polite: it yields when both sides offer at once. */
  polite: boolean;
  localStream: MediaStream | null;
  send: (message: NegotiationMessage) => void;
  /** Fetches fresh TURN credentials; called before every ICE restart. */
  freshIceServers: () => Promise<RTCIceServer[]>;
  createPeerConnection?: (configuration: RTCConfiguration) => RTCPeerConnection;
}

/**
 * One RTCPeerConnection for one call: perfect negotiation, local tracks, the remote
 * stream, and ICE restarts (on `failed`, or after {@link DISCONNECTED_RESTART_MS} in
 * `disconnected`) with fresh TURN credentials. {@link close} always closes the connection.
 */
export class PeerSession {
  readonly pc: RTCPeerConnection;
  readonly remoteStream = new MediaStream();
  /** The connection's aggregate state (`RTCPeerConnection.connectionState`). */
  readonly connectionState$ = new BehaviorSubject<RTCPeerConnectionState>('new');
  /** Emits whenever a remote track is added. */
  readonly remoteTracks$ = new Subject<MediaStreamTrack>();
  private readonly negotiator: PerfectNegotiator;
  private disconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private fastStartTimer: ReturnType<typeof setTimeout> | null = null;
  private fastStart: RTCRtpSender | null = null;
  private restarting = false;
  private closed = false;

  constructor(private readonly options: PeerSessionOptions) {
    const configuration: RTCConfiguration = {
      iceServers: options.iceServers,
      iceTransportPolicy: options.relayOnly ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    };
    this.pc = (options.createPeerConnection ?? ((c) => new RTCPeerConnection(c)))(configuration);
    this.negotiator = new PerfectNegotiator(this.pc, options.polite, options.send);
    this.pc.addEventListener('track', (event) => {
      this.remoteStream.addTrack(event.track);
      this.remoteTracks$.next(event.track);
    });
    this.pc.addEventListener('connectionstatechange', () => this.onConnectionState());
    this.addLocalMedia(options.localStream);
  }

  get relayOnly(): boolean {
    return this.options.relayOnly;
  }

  /** Applies one negotiation message from the peer (callers keep them in order). */
  handle(message: NegotiationMessage): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.negotiator.handle(message);
  }

  /**
   * Swaps what goes out for `kind` (another camera, a shared screen, or nothing). Needs no
   * renegotiation when that kind already sends; starting to send a kind the call had
   * none of (video added to a voice call) turns the transceiver to `sendrecv`, which
   * renegotiates through perfect negotiation.
   */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    const transceiver = this.pc
      .getTransceivers()
      .find((t) => t.receiver.track.kind === kind && t.currentDirection !== 'stopped');
    if (!transceiver) return;
    await transceiver.sender.replaceTrack(track);
    if (track && transceiver.direction !== 'sendrecv') transceiver.direction = 'sendrecv';
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  /** Fetches fresh TURN credentials, then restarts ICE (which renegotiates). */
  async restartIce(): Promise<void> {
    if (this.closed || this.restarting) return;
    this.restarting = true;
    try {
      const iceServers = await this.options.freshIceServers();
      if (this.closed) return;
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
      console.info('[peer] restarting ICE with fresh TURN credentials');
      this.pc.restartIce();
    } catch (error) {
      console.warn('[peer] ICE restart failed; will retry on the next state change', error);
    } finally {
      this.restarting = false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearDisconnectTimer();
    if (this.fastStartTimer !== null) clearTimeout(this.fastStartTimer);
    this.fastStartTimer = null;
    this.negotiator.detach();
    this.pc.close();
    this.remoteStream.getTracks().forEach((t) => t.stop());
    this.connectionState$.next('closed');
    this.connectionState$.complete();
    this.remoteTracks$.complete();
  }

  private addLocalMedia(stream: MediaStream | null): void {
    const tracks = stream?.getTracks() ?? [];
    for (const track of tracks) {
      const sender = this.pc.addTrack(track, stream as MediaStream);
      if (track.kind === 'video') this.startSmall(sender, track);
    }
    // Always negotiate both kinds so the peer's media is received even without ours.
    for (const kind of ['audio', 'video'] as const) {
      if (!tracks.some((t) => t.kind === kind))
        this.pc.addTransceiver(kind, { direction: 'recvonly' });
    }
  }

  /** Scales the camera's first frames down to {@link FAST_START_HEIGHT} (see there). */
  private startSmall(sender: RTCRtpSender | undefined, track: MediaStreamTrack): void {
    const height = track.getSettings().height ?? 0;
    if (!sender || height <= FAST_START_HEIGHT) return;
    this.fastStart = sender;
    void this.scaleDown(sender, height / FAST_START_HEIGHT);
  }

  private async scaleDown(sender: RTCRtpSender, factor: number): Promise<void> {
    const parameters = sender.getParameters();
    const [encoding] = parameters.encodings;
    if (!encoding || (encoding.scaleResolutionDownBy ?? 1) === factor) return;
    encoding.scaleResolutionDownBy = factor;
    // Only a hint: a browser that refuses it starts at full size, as without it.
    await sender.setParameters(parameters).catch(() => undefined);
  }

  private onConnectionState(): void {
    if (this.closed) return;
    const state = this.pc.connectionState;
    this.connectionState$.next(state);
    const sender = this.fastStart;
    if (state === 'connected' && sender !== null && this.fastStartTimer === null) {
      this.fastStart = null;
      this.fastStartTimer = setTimeout(() => {
        this.fastStartTimer = null;
        if (!this.closed) void this.scaleDown(sender, 1);
      }, FAST_START_MS);
    }
    if (state === 'failed') {
      this.clearDisconnectTimer();
      void this.restartIce();
    } else if (state === 'disconnected') {
      this.clearDisconnectTimer();
      this.disconnectTimer = setTimeout(() => {
        this.disconnectTimer = null;
        if (this.pc.connectionState === 'disconnected') void this.restartIce();
      }, DISCONNECTED_RESTART_MS);
    } else {
      this.clearDisconnectTimer();
    }
  }

  private clearDisconnectTimer(): void {
    if (this.disconnectTimer !== null) clearTimeout(this.disconnectTimer);
    this.disconnectTimer = null;
  }
}
