import { Injectable, InjectionToken, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import {
  type CallEnded,
  type CallIncoming,
  type CallResume,
  type SignalRelayed,
  type UserSummary,
} from '@callgate/protocol';
import { EMPTY, Subject, catchError, concatMap, from } from 'rxjs';

import { SettingsService } from '../settings/settings.service';
import { toCallgateError } from '../shared/api-error';
import { SignalingClient } from '../signaling/signaling-client';
import { CallStateMachine, type EndReason } from './call-state';
import { ActiveCall } from './active-call';
import { installDebugHook } from './debug-hook';
import { requestNotificationPermission } from './incoming-call-alert';
import { MediaDevicesService } from './media-devices.service';
import type { NegotiationMessage } from './perfect-negotiation';
import { statsEntries } from './stats';
import { TurnCredentialsService } from './turn-credentials.service';

/** Creates the RTCPeerConnection of a call; replaced by a fake in unit tests. */
export const PEER_CONNECTION_FACTORY = new InjectionToken<
  (configuration: RTCConfiguration) => RTCPeerConnection
>('PEER_CONNECTION_FACTORY', {
  factory: () => (configuration) => new RTCPeerConnection(configuration),
});

/**
 * Runs calls: the state transitions and the socket events of the call protocol. Everything
 * a call holds (media, connection, data channel, stats, timers) lives in its
 * {@link ActiveCall}, which is closed in one place when the call ends. Incoming `signal`
 * messages are applied strictly in order.
 */
@Injectable({ providedIn: 'root' })
export class CallService {
  private readonly signaling = inject(SignalingClient);
  private readonly turn = inject(TurnCredentialsService);
  private readonly settings = inject(SettingsService);
  private readonly devices = inject(MediaDevicesService);
  private readonly createPeerConnection = inject(PEER_CONNECTION_FACTORY);
  private readonly machine = new CallStateMachine();
  private readonly signals = new Subject<{ call: ActiveCall; signal: SignalRelayed }>();
  /** The call in progress on this device, from invite or ring until it ends. */
  private readonly active = signal<ActiveCall | null>(null);

  readonly state$ = this.machine.state$;
  readonly state = toSignal(this.machine.state$, { requireSync: true });
  readonly localStream = computed(() => this.active()?.media.stream() ?? null);
  readonly remoteStream = computed(() => this.active()?.remoteStream() ?? null);
  /** Why this side sends less than camera and microphone, as a sentence. */
  readonly mediaProblem = computed(() => this.active()?.media.problem() ?? null);
  readonly micMuted = computed(() => this.active()?.media.micMuted() ?? false);
  readonly cameraOff = computed(() => this.active()?.media.cameraOff() ?? false);
  readonly relayOnly = computed(() => this.active()?.relayOnly() ?? false);
  readonly stats = computed(() => this.active()?.stats() ?? null);
  readonly statsHistory = computed(() => this.active()?.statsHistory() ?? []);
  /** A call of ours the gateway knows about but this tab has no media for. */
  readonly elsewhere = signal<CallResume | null>(null);

  constructor() {
    this.signaling.on('call:incoming').subscribe((p) => this.onIncoming(p));
    this.signaling
      .on('call:accepted')
      .subscribe((p) => void this.onAccepted(p.callId, p.resendOffer === true));
    this.signaling.on('call:ended').subscribe((p) => this.onEnded(p));
    this.signaling.on('call:resume').subscribe((p) => this.onResume(p));
    this.signaling.on('signal').subscribe((s) => {
      const call = this.active();
      if (call && s.callId === call.callId && this.machine.busy) {
        this.signals.next({ call, signal: s });
      }
    });
    // concatMap: each message is fully applied before the next one starts.
    this.signals
      .pipe(
        concatMap(({ call, signal }) =>
          from(call.handleSignal(negotiationMessageOf(signal))).pipe(
            catchError((error: unknown) => {
              console.warn('[call] could not apply a signal', error);
              return EMPTY;
            }),
          ),
        ),
      )
      .subscribe();
    installDebugHook({
      getStats: async () => {
        const report = this.active()?.getStats();
        return report ? statsEntries(await report) : [];
      },
      connectionState: () => this.active()?.peerConnection?.connectionState ?? null,
      iceTransportPolicy: () =>
        this.active()?.peerConnection?.getConfiguration().iceTransportPolicy ?? null,
      callState: () => this.machine.state.name,
    });
  }

  /** Calls someone: rings them and shows our camera meanwhile. */
  async call(peer: UserSummary): Promise<void> {
    if (this.machine.busy) return;
    requestNotificationPermission();
    const call = this.begin(null, peer, 'caller');
    this.machine.setState({ name: 'outgoing', callId: null, peer });
    // Camera, connection and offer while the invite is on its way and while it rings.
    this.prepare(call);
    let ack;
    try {
      ack = await this.signaling.request('call:invite', { to: peer.id });
    } catch (error) {
      // Refused (not online, already in a call) or unanswered: the sentence says which.
      this.finish(call, 'failed', false, toCallgateError(error).message);
      return;
    }
    if (call.closed) {
      // Cancelled while the invite was on its way.
      this.emit('call:hangup', ack.callId);
      return;
    }
    call.attach(ack.callId);
    this.machine.setState({ name: 'outgoing', callId: ack.callId, peer });
  }

  async accept(): Promise<void> {
    const state = this.machine.state;
    const call = this.active();
    if (state.name !== 'incoming' || !call) return;
    call.stopRinging();
    this.machine.setState({
      name: 'connecting',
      callId: state.callId,
      peer: state.peer,
      role: 'callee',
    });
    // The connection was prepared while ringing; the gateway is told whether the caller's
    // offer reached this tab, so the caller resends it when it did not.
    const hasOffer = await call.readyToAnswer();
    if (call.closed) return;
    try {
      await this.signaling.request('call:accept', { callId: state.callId, hasOffer });
    } catch (error) {
      this.finish(call, 'failed', false, toCallgateError(error).message);
      return;
    }
    await this.connect(call);
    await call.answer();
  }

  decline(): void {
    const state = this.machine.state;
    const call = this.active();
    if (state.name !== 'incoming' || !call) return;
    this.emit('call:decline', state.callId);
    this.finish(call, 'declined', true);
  }

  /** Cancel while ringing, or hang up a live call. */
  hangup(): void {
    const state = this.machine.state;
    const call = this.active();
    if (state.name === 'incoming') return this.decline();
    if (!this.machine.busy || !call) return;
    if (call.callId) this.emit('call:hangup', call.callId);
    this.finish(call, state.name === 'outgoing' ? 'cancelled' : 'hangup', true);
  }

  /** Back to idle after the end sentence was read. */
  dismiss(): void {
    if (this.machine.state.name === 'ended') this.machine.setState({ name: 'idle' });
  }

  toggleMicrophone(): void {
    this.active()?.toggleMicrophone();
  }

  toggleCamera(): void {
    this.active()?.toggleCamera();
  }

  /** Switches camera or microphone mid-call without renegotiating. */
  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    await this.active()?.switchDevice(kind, deviceId);
  }

  /** Shows why a device could not be used, in the call's media notice. */
  reportMediaProblem(problem: string): void {
    this.active()?.media.problem.set(problem);
  }

  /** Ends a call this tab has no media for (see {@link elsewhere}). */
  endCallElsewhere(): void {
    const call = this.elsewhere();
    if (!call) return;
    this.emit('call:hangup', call.callId);
    this.elsewhere.set(null);
  }

  /** A fresh {@link ActiveCall}; the previous one (ended) was already closed. */
  private begin(callId: string | null, peer: UserSummary, role: 'caller' | 'callee'): ActiveCall {
    this.active()?.close('hangup');
    const call: ActiveCall = new ActiveCall(callId, {
      peer,
      role,
      devices: this.devices,
      iceServers: () => this.turn.ready(),
      freshIceServers: () => this.turn.iceServers(),
      relayOnly: () => this.settings.relayOnly(),
      createPeerConnection: this.createPeerConnection,
      sendSignal: (id, message) => this.sendSignal(id, message),
      onConnectionState: (s) => this.onPeerState(call, s),
      onMediaTimeout: (detail) => this.onMediaTimeout(call, detail),
    });
    this.active.set(call);
    return call;
  }

  private onIncoming(incoming: CallIncoming): void {
    // While busy the gateway answers "busy" for us; a stray event changes nothing.
    if (this.machine.busy) return;
    const call = this.begin(incoming.callId, incoming.from, 'callee');
    if (this.machine.setState({ name: 'incoming', callId: incoming.callId, peer: incoming.from })) {
      call.ring();
      // Camera preview and a connection holding the caller's offer while it rings; the
      // answer waits for Accept.
      this.prepare(call);
    }
  }

  private async onAccepted(callId: string, resendOffer: boolean): Promise<void> {
    const state = this.machine.state;
    const call = this.active();
    if (state.name !== 'outgoing' || state.callId !== callId || !call) return;
    this.machine.setState({ name: 'connecting', callId, peer: state.peer, role: 'caller' });
    await this.connect(call);
    await call.answer(resendOffer);
  }

  /** Creates the call's connection ahead of the answer; a failure is retried at the answer. */
  private prepare(call: ActiveCall): void {
    call.connect().catch((error: unknown) => {
      console.warn(
        '[call] could not prepare the connection while ringing; retrying on answer',
        error,
      );
    });
  }

  private onEnded(ended: CallEnded): void {
    if (this.elsewhere()?.callId === ended.callId) this.elsewhere.set(null);
    const call = this.active();
    if (call && call.callId === ended.callId && this.machine.busy) {
      this.finish(call, ended.reason, false);
    }
  }

  private onResume(resume: CallResume): void {
    if (this.machine.busy) return; // the call carried on, or this tab is in another one
    if (resume.phase === 'ringing' && resume.role === 'callee') {
      this.onIncoming({ callId: resume.callId, from: resume.peer });
      return;
    }
    // The media of this call lives in another tab, or lived in a page that was reloaded.
    // Hanging up here could cut a live call in another tab, so the person decides.
    this.elsewhere.set(resume);
  }

  private async connect(call: ActiveCall): Promise<void> {
    try {
      await call.connect();
    } catch {
      if (call.callId) this.emit('call:hangup', call.callId);
      this.finish(
        call,
        'failed',
        false,
        'the relay credentials could not be fetched from the server.',
      );
    }
  }

  private onPeerState(call: ActiveCall, peerState: RTCPeerConnectionState): void {
    const state = this.machine.state;
    if (call !== this.active() || call.closed || !this.machine.busy) return;
    if (state.name === 'idle' || state.name === 'ended') return;
    if (peerState === 'connected') {
      call.clearMediaTimer();
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
      call.armMediaTimer('the connection was lost and could not be restored.');
    }
  }

  private onMediaTimeout(call: ActiveCall, detail: string): void {
    if (call !== this.active() || !this.machine.busy) return;
    if (call.callId) this.emit('call:hangup', call.callId);
    this.finish(
      call,
      this.machine.state.name === 'reconnecting' ? 'disconnected' : 'failed',
      false,
      detail,
    );
  }

  private sendSignal(callId: string, message: NegotiationMessage): void {
    this.signaling
      .request('signal', { callId, ...message })
      .catch((error: unknown) =>
        console.warn('[call] a signal was not confirmed:', toCallgateError(error).message),
      );
  }

  private emit(event: 'call:hangup' | 'call:decline', callId: string): void {
    this.signaling
      .request(event, { callId })
      .catch((error: unknown) =>
        console.warn(`[call] ${event} was not confirmed:`, toCallgateError(error).message),
      );
  }

  /** Ends `call` with `reason`: closes it (everything it holds), then the state says why. */
  private finish(call: ActiveCall, reason: EndReason, byMe: boolean, detail?: string): void {
    const state = this.machine.state;
    call.close(reason);
    if (call !== this.active() || state.name === 'idle' || state.name === 'ended') return;
    const connectedAt =
      state.name === 'connected' || state.name === 'reconnecting' ? state.connectedAt : null;
    this.machine.setState({
      name: 'ended',
      callId: call.callId,
      peer: state.peer,
      role: call.role,
      reason,
      byMe,
      durationSeconds: connectedAt === null ? 0 : Math.round((Date.now() - connectedAt) / 1000),
      ...(detail ? { detail } : {}),
    });
  }
}

function negotiationMessageOf(signal: SignalRelayed): NegotiationMessage {
  const message: NegotiationMessage = {};
  if (signal.description) message.description = signal.description;
  if (signal.candidate !== undefined) message.candidate = signal.candidate;
  return message;
}
