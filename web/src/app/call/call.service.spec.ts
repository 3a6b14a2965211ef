import { TestBed } from '@angular/core/testing';
import { jest } from '@jest/globals';
import type { UserSummary } from '@callgate/protocol';

import { MEDIA_TIMEOUT_MS } from './active-call';
import { CallService } from './call.service';
import { callServiceProviders } from './testing/call-service-providers';
import { FakeMediaStream, type FakeRtcPeer } from './testing/fake-rtc';
import { SettingsService } from '../settings/settings.service';

const bob: UserSummary = { id: 'u-bob', username: 'bob', displayName: 'Bob' };

import { FakeSignaling, flush } from './testing/fake-signaling';

describe('CallService', () => {
  let signaling: FakeSignaling;
  let peers: FakeRtcPeer[];
  let calls: CallService;
  const iceServers = [
    { urls: ['turn:turn.test:3478?transport=udp'], username: '1:u', credential: 'c' },
  ];

  beforeAll(() => {
    (globalThis as { MediaStream?: unknown }).MediaStream = FakeMediaStream;
  });

  beforeEach(() => {
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    localStorage.clear();
    signaling = new FakeSignaling();
    peers = [];
    TestBed.configureTestingModule({
      providers: callServiceProviders(signaling, peers, iceServers),
    });
    calls = TestBed.inject(CallService);
  });

  afterEach(() => {
    calls.hangup();
    jest.restoreAllMocks();
  });

  const state = () => calls.state();

  it('shows "busy" when the gateway ends the invited call because the callee is in a call', async () => {
    signaling.answers.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.call(bob);
    signaling.push('call:ended', { callId: 'c1', reason: 'busy' });
    expect(state()).toMatchObject({ name: 'ended', reason: 'busy', byMe: false, role: 'caller' });
    // The connection prepared with the invite is closed with it.
    expect(peers.every((pc) => pc.closed)).toBe(true);
  });

  it("ends as failed with the gateway's sentence when it refuses the invite", async () => {
    signaling.answers.set('call:invite', () => ({
      ok: false,
      error: { code: 'not_found', message: 'That person is not online right now.' },
    }));
    await calls.call(bob);
    expect(state()).toMatchObject({
      name: 'ended',
      reason: 'failed',
      byMe: false,
      detail: 'That person is not online right now.',
    });
    // The connection prepared with the invite is closed with it.
    expect(peers.every((pc) => pc.closed)).toBe(true);
  });

  it('rings with the call id from the ack, and ends as declined when the callee declines', async () => {
    signaling.answers.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.call(bob);
    expect(state()).toMatchObject({ name: 'outgoing', callId: 'c1' });
    signaling.push('call:ended', { callId: 'other', reason: 'declined' });
    expect(state().name).toBe('outgoing');
    signaling.push('call:ended', { callId: 'c1', reason: 'declined' });
    expect(state()).toMatchObject({ name: 'ended', reason: 'declined', byMe: false });
  });

  it('cancelling while ringing sends call:hangup and ends as cancelled by me', async () => {
    signaling.answers.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.call(bob);
    calls.hangup();
    expect(signaling.events('call:hangup')).toEqual([{ callId: 'c1' }]);
    expect(state()).toMatchObject({ name: 'ended', reason: 'cancelled', byMe: true });
  });

  it('cancelling before the invite was acknowledged hangs up once the id is known', async () => {
    let release: (ack: unknown) => void = () => undefined;
    signaling.answers.set('call:invite', () => new Promise((resolve) => (release = resolve)));
    const placing = calls.call(bob);
    await flush();
    calls.hangup();
    expect(state()).toMatchObject({ name: 'ended', reason: 'cancelled' });
    release({ ok: true, callId: 'c9' });
    await placing;
    expect(signaling.events('call:hangup')).toEqual([{ callId: 'c9' }]);
    expect(state()).toMatchObject({ name: 'ended', reason: 'cancelled' });
  });

  it('caller: accepted → impolite connection with fresh TURN servers → connected → peer hangs up', async () => {
    signaling.answers.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.call(bob);
    signaling.push('call:accepted', { callId: 'c1' });
    expect(state().name).toBe('connecting');
    await flush();
    expect(peers).toHaveLength(1);
    const pc = peers[0]!;
    expect(pc.configuration.iceServers).toEqual(iceServers);
    expect(pc.configuration.iceTransportPolicy).toBe('all');
    pc.dispatchEvent(new Event('negotiationneeded'));
    await flush();
    expect(signaling.events('signal')).toContainEqual({
      callId: 'c1',
      description: { type: 'offer', sdp: 'offer' },
    });
    pc.become('connected');
    expect(state().name).toBe('connected');
    pc.become('disconnected');
    expect(state().name).toBe('reconnecting');
    pc.become('connected');
    expect(state().name).toBe('connected');
    signaling.push('call:ended', { callId: 'c1', reason: 'hangup' });
    expect(state()).toMatchObject({ name: 'ended', reason: 'hangup', byMe: false });
    expect(pc.closed).toBe(true);
  });

  it('callee: a signal that arrives before the connection exists is applied once it does, in order', async () => {
    signaling.push('call:incoming', { callId: 'c2', from: bob });
    expect(state()).toMatchObject({ name: 'incoming', callId: 'c2' });
    const accepting = calls.accept();
    // The caller's offer and a candidate race ahead of our connection.
    signaling.push('signal', {
      callId: 'c2',
      from: bob.id,
      description: { type: 'offer', sdp: 'remote-offer' },
    });
    signaling.push('signal', {
      callId: 'c2',
      from: bob.id,
      candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host' },
    });
    await accepting;
    await flush();
    // The answer travels with the accept (the gateway relays it), never as a signal too.
    expect(signaling.events('call:accept')).toEqual([
      { callId: 'c2', hasOffer: true, answer: { type: 'answer', sdp: 'answer' } },
    ]);
    const pc = peers[0]!;
    expect(pc.remoteDescription).toEqual({ type: 'offer', sdp: 'remote-offer' });
    expect(pc.candidates).toHaveLength(1);
    expect(signaling.events('signal')).toEqual([]);
    calls.hangup();
    expect(signaling.events('call:hangup')).toEqual([{ callId: 'c2' }]);
    expect(pc.closed).toBe(true);
  });

  it('callee: prepares while ringing but sends nothing before Accept', async () => {
    signaling.push('call:incoming', { callId: 'c4', from: bob });
    signaling.push('signal', {
      callId: 'c4',
      from: bob.id,
      description: { type: 'offer', sdp: 'remote-offer' },
    });
    await flush();
    expect(peers).toHaveLength(1);
    const pc = peers[0]!;
    expect(pc.configuration.iceCandidatePoolSize).toBeUndefined();
    expect(pc.remoteDescription).toEqual({ type: 'offer', sdp: 'remote-offer' });
    // Answered locally while ringing, but ICE has no candidate of the caller's to check.
    expect(pc.localDescription).toEqual({ type: 'answer', sdp: 'answer' });
    expect(pc.candidates).toEqual([]);
    expect(signaling.events('signal')).toEqual([]);
    expect(signaling.events('call:accept')).toEqual([]);
    // A double click while the answer is being made accepts once.
    await Promise.all([calls.accept(), calls.accept()]);
    await flush();
    expect(signaling.events('call:accept')).toEqual([
      { callId: 'c4', hasOffer: true, answer: { type: 'answer', sdp: 'answer' } },
    ]);
    expect(signaling.events('signal')).toEqual([]);
    // The prepared connection is the call's connection: none other was made.
    expect(peers).toHaveLength(1);
  });

  it("callee: a connection that comes up before call:accept's ack is not ended by the media timer", async () => {
    const ack = Promise.withResolvers<unknown>();
    signaling.answers.set('call:accept', () => ack.promise);
    signaling.push('call:incoming', { callId: 'c9', from: bob });
    signaling.push('signal', {
      callId: 'c9',
      from: bob.id,
      description: { type: 'offer', sdp: 'remote-offer' },
    });
    await flush();
    const accepting = calls.accept();
    await flush();
    // The caller got the answer inside call:accepted and its checks reached this side before
    // the ack did: ICE is up (a peer-reflexive pair) before the queued answer runs.
    peers[0]!.become('connected');
    expect(state().name).toBe('connected');
    jest.useFakeTimers();
    try {
      ack.resolve({ ok: true });
      await jest.advanceTimersByTimeAsync(0);
      await accepting;
      await jest.advanceTimersByTimeAsync(MEDIA_TIMEOUT_MS);
      expect(state().name).toBe('connected');
      expect(signaling.events('call:hangup')).toEqual([]);
      expect(peers[0]!.closed).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it.each(['cancelled', 'timeout', 'answered_elsewhere'] as const)(
    'callee: a ring that ends as %s closes the prepared connection',
    async (reason) => {
      signaling.push('call:incoming', { callId: 'c5', from: bob });
      await flush();
      expect(peers).toHaveLength(1);
      signaling.push('call:ended', { callId: 'c5', reason });
      expect(state()).toMatchObject({ name: 'ended', reason });
      expect(peers[0]!.closed).toBe(true);
      expect(signaling.events('signal')).toEqual([]);
    },
  );

  it('callee: declining closes the prepared connection', async () => {
    signaling.push('call:incoming', { callId: 'c6', from: bob });
    await flush();
    calls.decline();
    expect(peers[0]!.closed).toBe(true);
    expect(signaling.events('call:decline')).toEqual([{ callId: 'c6' }]);
  });

  it('caller: offers while ringing once the invite has an id, and resends when asked', async () => {
    let release: (ack: unknown) => void = () => undefined;
    signaling.answers.set('call:invite', () => new Promise((resolve) => (release = resolve)));
    const placing = calls.call(bob);
    await flush();
    expect(peers).toHaveLength(1);
    const pc = peers[0]!;
    pc.dispatchEvent(new Event('negotiationneeded'));
    await flush();
    expect(signaling.events('signal')).toEqual([]);
    release({ ok: true, callId: 'c8' });
    await placing;
    const offer = { callId: 'c8', description: { type: 'offer', sdp: 'offer' } };
    expect(signaling.events('signal')).toEqual([offer]);
    signaling.push('call:accepted', { callId: 'c8', role: 'caller', resendOffer: true });
    await flush();
    expect(signaling.events('signal')).toEqual([offer, offer]);
    expect(peers).toHaveLength(1);
  });

  it('caller: applies the answer that comes inside call:accepted, and ignores its signal copy', async () => {
    signaling.answers.set('call:invite', () => ({ ok: true, callId: 'c9' }));
    await calls.call(bob);
    await flush();
    const pc = peers[0]!;
    pc.dispatchEvent(new Event('negotiationneeded'));
    await flush();
    const applied = jest.spyOn(pc, 'setRemoteDescription');
    const answer = { type: 'answer', sdp: 'remote-answer' } as const;
    signaling.push('call:accepted', { callId: 'c9', role: 'caller', answer });
    expect(state().name).toBe('connecting');
    await flush();
    expect(pc.remoteDescription).toEqual(answer);
    // The gateway sends the same answer again as a signal, for tabs without this field.
    signaling.push('signal', { callId: 'c9', from: bob.id, description: answer });
    await flush();
    expect(applied).toHaveBeenCalledTimes(1);
    expect(pc.signalingState).toBe('stable');
  });

  it('uses iceTransportPolicy "relay" when Relay only is on', async () => {
    TestBed.inject(SettingsService).setRelayOnly(true);
    signaling.push('call:incoming', { callId: 'c3', from: bob });
    await calls.accept();
    await flush();
    expect(peers[0]!.configuration.iceTransportPolicy).toBe('relay');
    expect(calls.relayOnly()).toBe(true);
  });

  it('declining sends call:decline and ends as declined by me', () => {
    document.title = 'Contacts · Callgate';
    signaling.push('call:incoming', { callId: 'c4', from: bob });
    expect(document.title).toBe('Incoming call from Bob · Callgate');
    calls.decline();
    expect(signaling.events('call:decline')).toEqual([{ callId: 'c4' }]);
    expect(state()).toMatchObject({
      name: 'ended',
      reason: 'declined',
      byMe: true,
      role: 'callee',
    });
  });

  it('a second incoming call while busy changes nothing (the gateway answers busy)', async () => {
    signaling.answers.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.call(bob);
    signaling.push('call:incoming', { callId: 'c5', from: { ...bob, id: 'u-carol' } });
    expect(state()).toMatchObject({ name: 'outgoing', callId: 'c1' });
  });

  it('when the other side rejoins after a reload: Reconnecting…, a fresh connection, then Connected', async () => {
    signaling.answers.set('call:invite', () => ({ ok: true, callId: 'c7' }));
    await calls.call(bob);
    signaling.push('call:accepted', { callId: 'c7' });
    await flush();
    const old = peers[0]!;
    old.become('connected');
    expect(state()).toMatchObject({ name: 'connected' });
    const connectedAt = (state() as { connectedAt: number }).connectedAt;
    signaling.push('call:peer-rejoined', { callId: 'other' });
    expect(peers).toHaveLength(1);
    signaling.push('call:peer-rejoined', { callId: 'c7' });
    expect(state().name).toBe('reconnecting');
    await flush();
    expect(old.closed).toBe(true);
    expect(old.channels[0]!.readyState).toBe('closed');
    expect(peers).toHaveLength(2);
    expect(peers[1]!.channels).toHaveLength(1);
    peers[1]!.become('connected');
    expect(state()).toMatchObject({ name: 'connected', connectedAt });
  });

  it('a fresh connection after the other side rejoined that never connects ends the call in time', async () => {
    signaling.answers.set('call:invite', () => ({ ok: true, callId: 'c8' }));
    await calls.call(bob);
    signaling.push('call:accepted', { callId: 'c8' });
    await flush();
    peers[0]!.become('connected');
    jest.useFakeTimers();
    try {
      signaling.push('call:peer-rejoined', { callId: 'c8' });
      await jest.advanceTimersByTimeAsync(0);
      expect(peers).toHaveLength(2);
      await jest.advanceTimersByTimeAsync(MEDIA_TIMEOUT_MS);
      expect(state()).toMatchObject({ name: 'ended', reason: 'disconnected', byMe: false });
      expect(signaling.events('call:hangup')).toEqual([{ callId: 'c8' }]);
      expect(peers[1]!.closed).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it.each(['timeout', 'cancelled', 'answered_elsewhere'] as const)(
    'an incoming call ended by the gateway (%s) stops ringing and says why',
    (reason) => {
      signaling.push('call:incoming', { callId: 'c6', from: bob });
      signaling.push('call:ended', { callId: 'c6', reason });
      expect(state()).toMatchObject({ name: 'ended', reason, role: 'callee', byMe: false });
    },
  );
});
