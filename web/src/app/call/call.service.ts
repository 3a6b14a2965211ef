import { Injectable, InjectionToken, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import {
  type CallEnded,
  type CallIncoming,
  type CallResume,
  ErrorCode,
  type SignalRelayed,
  type UserSummary,
} from '@callgate/protocol';
import { EMPTY, Subject, type Subscription, catchError, concatMap, from } from 'rxjs';

import { SettingsService } from '../settings/settings.service';
import { SignalingClient } from '../signaling/signaling-client';
import { type CallState, CallStateMachine, type EndReason } from './call-state';
import { installDebugHook } from './debug-hook';
import { IncomingCallAlert, requestNotificationPermission } from './incoming-call-alert';
import { MediaDevicesService } from './media-devices.service';
import { PeerSession } from './peer-session';
import type { NegotiationMessage } from './perfect-negotiation';
import { LocalMedia } from './local-media';
import { STATS_HISTORY, type StatsSample, statsEntries } from './stats';
import { sampleStats } from './stats-sampler';
import { TurnCredentialsService } from './turn-credentials.service';

/** Give up when media has not (re)connected within this long. */
export const MEDIA_TIMEOUT_MS = 30_000;

/** Creates the RTCPeerConnection of a call; replaced by a fake in unit tests. */
export const PEER_CONNECTION_FACTORY = new InjectionToken<
  (configuration: RTCConfiguration) => RTCPeerConnection
>('PEER_CONNECTION_FACTORY', {
  factory: () => (configuration) => new RTCPeerConnection(configuration),
});

function callIdOf(state: CallState): string | null {
  return state.name === 'idle' ? null : state.callId;
}

/**
 * Runs calls: the state machine, the socket events of the call protocol, local media and
 * the peer connection. Incoming `signal` messages are applied strictly in order.
 */
@Injectable({ providedIn: 'root' })
export class CallService {
  private readonly signaling = inject(SignalingClient);
  private readonly turn = inject(TurnCredentialsService);
  private readonly settings = inject(SettingsService);
  private readonly media = new LocalMedia(inject(MediaDevicesService));
  private readonly createPeerConnection = inject(PEER_CONNECTION_FACTORY);
  private readonly machine = new CallStateMachine();
  private readonly alert = new IncomingCallAlert();
  private readonly signals = new Subject<SignalRelayed>();
  private session: PeerSession | null = null;
  private sessionReady = Promise.withResolvers<PeerSession | null>();
  private subscriptions: Subscription[] = [];
  private mediaTimer: ReturnType<typeof setTimeout> | null = null;

  readonly state$ = this.machine.state$;
  readonly state = toSignal(this.machine.state$, { requireSync: true });
  readonly localStream = this.media.stream.asReadonly();
  readonly remoteStream = signal<MediaStream | null>(null);
  /** Why this side sends less than camera and microphone, as a sentence. */
  readonly mediaProblem = this.media.problem;
  readonly micMuted = this.media.micMuted.asReadonly();
  readonly cameraOff = this.media.cameraOff.asReadonly();
  readonly relayOnly = signal(false);
  readonly stats = signal<StatsSample | null>(null);
  readonly statsHistory = signal<readonly StatsSample[]>([]);
  /** A call of ours the gateway knows about but this tab has no media for. */
  readonly elsewhere = signal<CallResume | null>(null);

  constructor() {
    this.signaling.on('call:incoming').subscribe((p) => this.onIncoming(p));
    this.signaling.on('call:accepted').subscribe((p) => void this.onAccepted(p.callId));
    this.signaling.on('call:ended').subscribe((p) => this.onEnded(p));
    this.signaling.on('call:resume').subscribe((p) => this.onResume(p));
    this.signaling.on('signal').subscribe((s) => {
      if (s.callId === callIdOf(this.machine.state) && this.machine.busy) this.signals.next(s);
    });
    // concatMap: each message is fully applied before the next one starts.
    this.signals
      .pipe(
        concatMap((s) =>
          from(this.applySignal(s)).pipe(
            catchError((error: unknown) => {
              console.warn('[call] could not apply a signal', error);
              return EMPTY;
            }),
          ),
        ),
      )
      .subscribe();
    installDebugHook({
      getStats: async () => (this.session ? statsEntries(await this.session.getStats()) : []),
      connectionState: () => this.session?.pc.connectionState ?? null,
      iceTransportPolicy: () => this.session?.pc.getConfiguration().iceTransportPolicy ?? null,
      callState: () => this.machine.state.name,
    });
  }

  /** Calls someone: rings them and shows our camera meanwhile. */
  async call(peer: UserSummary): Promise<void> {
    if (this.machine.busy) return;
    requestNotificationPermission();
    this.reset();
    this.machine.setState({ name: 'outgoing', callId: null, peer });
    void this.media.open();
    let ack;
    try {
      ack = await this.signaling.request('call:invite', { to: peer.id });
    } catch (error) {
      this.finish('failed', false, error instanceof Error ? error.message : undefined);
      return;
    }
    const state = this.machine.state;
    if (!ack.ok) {
      if (ack.error.code === ErrorCode.Busy) this.finish('busy', false);
      else this.finish('failed', false, ack.error.message);
      return;
    }
    if (state.name !== 'outgoing' || state.peer.id !== peer.id) {
      // Cancelled while the invite was on its way.
      this.emit('call:hangup', ack.callId);
      return;
    }
    this.machine.setState({ name: 'outgoing', callId: ack.callId, peer });
  }

  async accept(): Promise<void> {
    const state = this.machine.state;
    if (state.name !== 'incoming') return;
    this.alert.stop();
    this.machine.setState({
      name: 'connecting',
      callId: state.callId,
      peer: state.peer,
      role: 'callee',
    });
    void this.media.open();
    try {
      const ack = await this.signaling.request('call:accept', { callId: state.callId });
      if (!ack.ok) {
        this.finish('failed', false, ack.error.message);
        return;
      }
    } catch (error) {
      this.finish('failed', false, error instanceof Error ? error.message : undefined);
      return;
    }
    await this.startSession(state.callId, true);
  }

  decline(): void {
    const state = this.machine.state;
    if (state.name !== 'incoming') return;
    this.emit('call:decline', state.callId);
    this.finish('declined', true);
  }

  /** Cancel while ringing, or hang up a live call. */
  hangup(): void {
    const state = this.machine.state;
    if (state.name === 'incoming') return this.decline();
    if (!this.machine.busy) return;
    const callId = callIdOf(state);
    if (callId) this.emit('call:hangup', callId);
    this.finish(state.name === 'outgoing' ? 'cancelled' : 'hangup', true);
  }

  /** Back to idle after the end sentence was read. */
  dismiss(): void {
    if (this.machine.state.name === 'ended') this.machine.setState({ name: 'idle' });
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

  private onIncoming(incoming: CallIncoming): void {
    // While busy the gateway answers "busy" for us; a stray event changes nothing.
    if (this.machine.busy) return;
    this.reset();
    if (this.machine.setState({ name: 'incoming', callId: incoming.callId, peer: incoming.from })) {
      this.alert.start(incoming.callId, incoming.from);
    }
  }

  private async onAccepted(callId: string): Promise<void> {
    const state = this.machine.state;
    if (state.name !== 'outgoing' || state.callId !== callId) return;
    this.machine.setState({ name: 'connecting', callId, peer: state.peer, role: 'caller' });
    await this.startSession(callId, false);
  }

  private onEnded(ended: CallEnded): void {
    if (this.elsewhere()?.callId === ended.callId) this.elsewhere.set(null);
    if (callIdOf(this.machine.state) === ended.callId) this.finish(ended.reason, false);
  }

  private onResume(resume: CallResume): void {
    const state = this.machine.state;
    if (callIdOf(state) === resume.callId && this.machine.busy) return; // the call carried on
    if (this.machine.busy) return;
    if (resume.phase === 'ringing' && resume.role === 'callee') {
      this.onIncoming({ callId: resume.callId, from: resume.peer });
      return;
    }
    // The media of this call lives in another tab, or lived in a page that was reloaded.
    // Hanging up here could cut a live call in another tab, so the person decides.
    this.elsewhere.set(resume);
  }

  /** Ends a call this tab has no media for (see {@link elsewhere}). */
  endCallElsewhere(): void {
    const call = this.elsewhere();
    if (!call) return;
    this.emit('call:hangup', call.callId);
    this.elsewhere.set(null);
  }

  private async startSession(callId: string, polite: boolean): Promise<void> {
    let iceServers: RTCIceServer[];
    let localStream: MediaStream | null;
    try {
      [iceServers, localStream] = await Promise.all([this.turn.iceServers(), this.media.open()]);
    } catch {
      this.emit('call:hangup', callId);
      this.finish('failed', false, 'the relay credentials could not be fetched from the server.');
      return;
    }
    if (callIdOf(this.machine.state) !== callId || !this.machine.busy) return;
    const session = new PeerSession({
      iceServers,
      relayOnly: this.settings.relayOnly(),
      polite,
      localStream,
      send: (message) => this.sendSignal(callId, message),
      freshIceServers: () => this.turn.iceServers(),
      createPeerConnection: this.createPeerConnection,
    });
    this.session = session;
    this.relayOnly.set(session.relayOnly);
    this.remoteStream.set(new MediaStream(session.remoteStream.getTracks()));
    this.subscriptions.push(
      session.remoteTracks$.subscribe(() =>
        this.remoteStream.set(new MediaStream(session.remoteStream.getTracks())),
      ),
      session.connectionState$.subscribe((s) => this.onPeerState(callId, s)),
    );
    this.startStats(session);
    this.armMediaTimer(callId, 'No network path to the other person was found in time.');
    this.sessionReady.resolve(session);
  }

  private onPeerState(callId: string, peerState: RTCPeerConnectionState): void {
    const state = this.machine.state;
    if (callIdOf(state) !== callId) return;
    if (peerState === 'connected') {
      this.clearMediaTimer();
      if (state.name === 'connecting') {
        this.machine.setState({ ...state, name: 'connected', connectedAt: Date.now() });
      } else if (state.name === 'reconnecting') {
        this.machine.setState({ ...state, name: 'connected' });
      }
    } else if (
      (peerState === 'disconnected' || peerState === 'failed') &&
      state.name === 'connected'
    ) {
      this.machine.setState({ ...state, name: 'reconnecting' });
      this.armMediaTimer(callId, 'the connection was lost and could not be restored.');
    }
  }

  private async applySignal(signal: SignalRelayed): Promise<void> {
    const session = await this.sessionReady.promise;
    if (!session || signal.callId !== callIdOf(this.machine.state)) return;
    const message: NegotiationMessage = {};
    if (signal.description) message.description = signal.description;
    if (signal.candidate !== undefined) message.candidate = signal.candidate;
    await session.handle(message);
  }

  private sendSignal(callId: string, message: NegotiationMessage): void {
    this.signaling
      .request('signal', { callId, ...message })
      .then((ack) => {
        if (!ack.ok) console.warn('[call] the server refused a signal:', ack.error.message);
      })
      .catch((error: unknown) => console.warn('[call] a signal was not confirmed', error));
  }

  private emit(event: 'call:hangup' | 'call:decline', callId: string): void {
    this.signaling
      .request(event, { callId })
      .catch((error: unknown) => console.warn(`[call] ${event} was not confirmed`, error));
  }

  private startStats(session: PeerSession): void {
    this.subscriptions.push(
      sampleStats(() => session.getStats()).subscribe((sample) => {
        this.stats.set(sample);
        this.statsHistory.update((h) => [...h, sample].slice(-STATS_HISTORY));
      }),
    );
  }

  private armMediaTimer(callId: string, detail: string): void {
    this.clearMediaTimer();
    this.mediaTimer = setTimeout(() => {
      if (callIdOf(this.machine.state) !== callId || !this.machine.busy) return;
      this.emit('call:hangup', callId);
      this.finish(
        this.machine.state.name === 'reconnecting' ? 'disconnected' : 'failed',
        false,
        detail,
      );
    }, MEDIA_TIMEOUT_MS);
  }

  private clearMediaTimer(): void {
    if (this.mediaTimer !== null) clearTimeout(this.mediaTimer);
    this.mediaTimer = null;
  }

  /** Ends the current call with `reason`: closes the connection and releases the devices. */
  private finish(reason: EndReason, byMe: boolean, detail?: string): void {
    const state = this.machine.state;
    if (state.name === 'idle' || state.name === 'ended') return;
    const connectedAt =
      state.name === 'connected' || state.name === 'reconnecting' ? state.connectedAt : null;
    this.teardown();
    this.machine.setState({
      name: 'ended',
      callId: callIdOf(state),
      peer: state.peer,
      role:
        state.name === 'outgoing' || ('role' in state && state.role === 'caller')
          ? 'caller'
          : 'callee',
      reason,
      byMe,
      durationSeconds: connectedAt === null ? 0 : Math.round((Date.now() - connectedAt) / 1000),
      ...(detail ? { detail } : {}),
    });
  }

  private teardown(): void {
    this.alert.stop();
    this.clearMediaTimer();
    this.subscriptions.forEach((s) => s.unsubscribe());
    this.subscriptions = [];
    this.session?.close();
    this.session = null;
    this.sessionReady.resolve(null);
    this.media.release();
    this.remoteStream.set(null);
  }

  /** Fresh per-call state. */
  private reset(): void {
    this.teardown();
    this.sessionReady = Promise.withResolvers<PeerSession | null>();
    this.stats.set(null);
    this.statsHistory.set([]);
    this.media.reset();
    this.relayOnly.set(false);
  }
}
