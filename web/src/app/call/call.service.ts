import { Injectable, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import {
  type CallEnded,
  type CallIncoming,
  type CallResume,
  type SessionDescriptionPayload,
  type UserSummary,
} from '@callgate/protocol';

import { SettingsService } from '../settings/settings.service';
import { toCallgateError } from '../shared/api-error';
import { SignalingClient } from '../signaling/signaling-client';
import { CallStateMachine, type EndReason } from './call-state';
import { ActiveCall } from './active-call';
import { CallSignals } from './call-signals';
import { CarriedCall } from './carried-call';
import { CurrentCall } from './current-call';
import { requestNotificationPermission } from './incoming-call-alert';
import { MediaDevicesService } from './media-devices.service';
import { PEER_CONNECTION_FACTORY } from './peer-connection-factory';
import { TurnCredentialsService } from './turn-credentials.service';

/** Creates the RTCPeerConnection of a call; replaced by a fake in unit tests. */

/**
 * Runs calls: the state transitions and the socket events of the call protocol. Everything
 * a call holds (media, connection, data channel, stats, timers) lives in its
 * {@link ActiveCall}, which is closed in one place when the call ends. Incoming `signal`
 * messages are applied strictly in order.
 */
@Injectable({ providedIn: 'root' })
export class CallService extends CurrentCall {
  private readonly signaling = inject(SignalingClient);
  private readonly turn = inject(TurnCredentialsService);
  private readonly settings = inject(SettingsService);
  private readonly devices = inject(MediaDevicesService);
  private readonly createPeerConnection = inject(PEER_CONNECTION_FACTORY);
  private readonly machine = new CallStateMachine();
  private readonly carrying = new CarriedCall();
  private readonly relay = new CallSignals(this.signaling);
  /** The call whose Accept is being handled (its answer is being made). */
  private accepting: ActiveCall | null = null;

  readonly state$ = this.machine.state$;
  readonly state = toSignal(this.machine.state$, { requireSync: true });
  /** A call of ours the gateway knows about but this tab has no media for. */
  readonly elsewhere = signal<CallResume | null>(null);

  constructor() {
    super();
    this.signaling.on('call:incoming').subscribe((p) => this.onIncoming(p));
    this.signaling
      .on('call:accepted')
      .subscribe((p) => void this.onAccepted(p.callId, p.resendOffer === true, p.answer));
    this.signaling.on('call:ended').subscribe((p) => this.onEnded(p));
    this.signaling.on('call:resume').subscribe((p) => this.onResume(p));
    this.signaling.on('call:peer-rejoined').subscribe((p) => void this.onPeerRejoined(p.callId));
    this.relay.applyInOrder(() => (this.machine.busy ? this.active() : null));
    this.installDebugHook(() => this.machine.state.name);
  }

  protected get inProgress(): boolean {
    return this.machine.busy;
  }

  /** Calls someone: rings them and shows our camera meanwhile (none for a voice call). */
  async call(peer: UserSummary, options: { video?: boolean } = {}): Promise<void> {
    if (this.machine.busy) return;
    requestNotificationPermission();
    const video = options.video ?? true;
    const call = this.begin(null, peer, 'caller', video);
    this.machine.setState({ name: 'outgoing', callId: null, peer });
    // Camera, connection and offer while the invite is on its way and while it rings.
    this.prepare(call);
    let ack;
    try {
      ack = await this.signaling.request('call:invite', { to: peer.id, video });
    } catch (error) {
      // Refused (not online, already in a call) or unanswered: the sentence says which.
      this.finish(call, 'failed', false, toCallgateError(error).message);
      return;
    }
    if (call.closed) {
      // Cancelled while the invite was on its way.
      this.relay.emit('call:hangup', ack.callId);
      return;
    }
    call.attach(ack.callId);
    this.machine.setState({ name: 'outgoing', callId: ack.callId, peer });
  }

  async accept(): Promise<void> {
    const state = this.machine.state;
    const call = this.active();
    if (state.name !== 'incoming' || !call || this.accepting === call) return;
    this.accepting = call; // a second click while the answer is made does nothing
    call.stopRinging();
    // The connection was prepared while ringing, so the answer is ready now and goes with
    // the accept; without the caller's offer, the gateway asks the caller to resend it.
    // Made before the page turns into the call view: rendering that (its videos) first
    // held the answer back by a frame or more.
    const { hasOffer, answer } = await call.prepareAnswer();
    if (call.closed || this.machine.state !== state) return;
    // Sent before the state change: that one turns the page into the call view.
    const accepted = this.signaling.request('call:accept', {
      callId: state.callId,
      hasOffer,
      ...(answer?.sdp === undefined ? {} : { answer: { type: 'answer', sdp: answer.sdp } }),
    });
    this.machine.setState({
      name: 'connecting',
      callId: state.callId,
      peer: state.peer,
      role: 'callee',
    });
    try {
      await accepted;
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
    this.relay.emit('call:decline', state.callId);
    this.finish(call, 'declined', true);
  }

  /** Cancel while ringing, or hang up a live call. */
  hangup(): void {
    const state = this.machine.state;
    const call = this.active();
    if (state.name === 'incoming') return this.decline();
    if (!this.machine.busy || !call) return;
    if (call.callId) this.relay.emit('call:hangup', call.callId);
    this.finish(call, state.name === 'outgoing' ? 'cancelled' : 'hangup', true);
  }

  /** Back to idle after the end sentence was read. */
  dismiss(): void {
    if (this.machine.state.name === 'ended') this.machine.setState({ name: 'idle' });
  }

  /** Ends a call this tab has no media for (see {@link elsewhere}). */
  endCallElsewhere(): void {
    const call = this.elsewhere();
    if (!call) return;
    this.relay.emit('call:hangup', call.callId);
    this.elsewhere.set(null);
  }

  /**
   * Picks up, with a fresh connection, an active call this tab had lost (page reload):
   * the other side drops its old connection when the gateway relays our `call:rejoin`.
   */
  async rejoin(): Promise<void> {
    const resume = this.elsewhere();
    if (!resume || resume.phase !== 'active' || this.machine.busy) return;
    this.elsewhere.set(null);
    const call = this.begin(resume.callId, resume.peer, resume.role, resume.video !== false);
    call.holdSignals();
    this.machine.setState({
      name: 'connecting',
      callId: resume.callId,
      peer: resume.peer,
      role: resume.role,
    });
    void call.openMedia();
    try {
      await this.signaling.request('call:rejoin', { callId: resume.callId });
    } catch (error) {
      // Refused (another tab has it, the other person is away) or unanswered.
      this.finish(call, 'failed', false, toCallgateError(error).message);
      return;
    }
    call.acceptSignals();
    call.resumeAnswered();
    await this.connect(call);
  }

  /** A fresh {@link ActiveCall}; the previous one (ended) was already closed. */
  private begin(
    callId: string | null,
    peer: UserSummary,
    role: 'caller' | 'callee',
    video: boolean,
  ): ActiveCall {
    this.active()?.close('hangup');
    const call: ActiveCall = new ActiveCall(callId, {
      peer,
      role,
      video,
      devices: this.devices,
      iceServers: () => this.turn.ready(),
      freshIceServers: () => this.turn.restartServers(),
      relayOnly: () => this.settings.relayOnly(),
      createPeerConnection: this.createPeerConnection,
      sendSignal: (id, message) => this.relay.send(id, message),
      onConnectionState: (s) => this.onPeerState(call, s),
      onMediaTimeout: (detail) => this.onMediaTimeout(call, detail),
    });
    this.active.set(call);
    return call;
  }

  private onIncoming(incoming: CallIncoming): void {
    // While busy the gateway answers "busy" for us; a stray event changes nothing.
    if (this.machine.busy) return;
    // An older gateway sends no `video`: that was always a video call.
    const call = this.begin(incoming.callId, incoming.from, 'callee', incoming.video !== false);
    if (this.machine.setState({ name: 'incoming', callId: incoming.callId, peer: incoming.from })) {
      call.ring();
      // Camera preview and a connection holding the caller's offer while it rings; the
      // answer waits for Accept.
      this.prepare(call);
    }
  }

  private async onAccepted(
    callId: string,
    resendOffer: boolean,
    answer?: SessionDescriptionPayload,
  ): Promise<void> {
    const state = this.machine.state;
    const call = this.active();
    // A ringing call this tab was handed (the calling tab closed) is answered: it can be
    // rejoined now.
    const elsewhere = this.elsewhere();
    if (elsewhere?.callId === callId) this.elsewhere.set({ ...elsewhere, phase: 'active' });
    if (state.name !== 'outgoing' || state.callId !== callId || !call) return;
    // Applied first: the state change below renders the call view, which would otherwise
    // hold the answer back (measured: docs/BENCHMARKS.md, "Where the time goes").
    if (answer !== undefined) void call.applyAcceptedAnswer(answer);
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
      this.onIncoming({ callId: resume.callId, from: resume.peer, video: resume.video });
      return;
    }
    // The gateway re-attached this socket to the call: the tab that carried it was
    // reloaded (or closed). This very tab rejoins by itself; any other tab asks first.
    this.elsewhere.set(resume);
    if (this.carrying.isCarrying(resume.callId)) void this.rejoin();
  }

  private async onPeerRejoined(callId: string): Promise<void> {
    const call = this.active();
    const state = this.machine.state;
    if (!call || call.callId !== callId || call.closed) return;
    if (state.name === 'connected') this.machine.setState({ ...state, name: 'reconnecting' });
    await this.connect(call, () => call.reconnect());
    // The fresh connection gets as long as a lost one to come back, then the call ends.
    call.armMediaTimer('the connection was lost and could not be restored.');
  }

  /** Creates (or, for `reconnect`, replaces) the call's connection; ends it if that fails. */
  private async connect(
    call: ActiveCall,
    create: () => Promise<boolean> = () => call.connect(),
  ): Promise<void> {
    try {
      await create();
    } catch {
      if (call.callId) this.relay.emit('call:hangup', call.callId);
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
        const connectedAt = this.carrying.connectedAt(call.callId) ?? Date.now();
        this.carrying.remember(call.callId, connectedAt);
        this.machine.setState({ ...state, name: 'connected', connectedAt });
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
    if (call.callId) this.relay.emit('call:hangup', call.callId);
    this.finish(
      call,
      this.machine.state.name === 'reconnecting' ? 'disconnected' : 'failed',
      false,
      detail,
    );
  }

  /** Ends `call` with `reason`: closes it (everything it holds), then the state says why. */
  private finish(call: ActiveCall, reason: EndReason, byMe: boolean, detail?: string): void {
    const state = this.machine.state;
    call.close(reason);
    this.carrying.forget(call.callId);
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
