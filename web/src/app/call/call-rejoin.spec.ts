import { TestBed } from '@angular/core/testing';
import { jest } from '@jest/globals';
import type { UserSummary } from '@callgate/protocol';

import { CallService } from './call.service';
import { callServiceProviders } from './testing/call-service-providers';
import { FakeMediaStream, type FakeRtcPeer } from './testing/fake-rtc';
import { FakeSignaling, flush } from './testing/fake-signaling';

const bob: UserSummary = { id: 'u-bob', username: 'bob', displayName: 'Bob' };

describe('CallService resume and rejoin after a reconnect or reload', () => {
  let signaling: FakeSignaling;
  let calls: CallService;
  let peers: FakeRtcPeer[];

  beforeAll(() => {
    (globalThis as { MediaStream?: unknown }).MediaStream = FakeMediaStream;
  });

  beforeEach(() => {
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    sessionStorage.clear();
    signaling = new FakeSignaling();
    peers = [];
    TestBed.configureTestingModule({
      providers: callServiceProviders(signaling, peers),
    });
    calls = TestBed.inject(CallService);
  });

  afterEach(() => {
    calls.hangup();
    jest.restoreAllMocks();
  });

  it('the tab that carried the call rejoins by itself after a reload, and keeps the duration', async () => {
    sessionStorage.setItem(
      'callgate.carriedCall',
      JSON.stringify({ callId: 'r4', connectedAt: 1_000 }),
    );
    signaling.push('call:resume', {
      callId: 'r4',
      peer: bob,
      role: 'callee',
      phase: 'active',
      video: true,
    });
    expect(calls.state()).toMatchObject({ name: 'connecting', callId: 'r4', role: 'callee' });
    // A signal of the connection that died with the old page is not applied to the new one.
    signaling.push('signal', {
      callId: 'r4',
      from: bob.id,
      description: { type: 'answer', sdp: 'old' },
    });
    await flush();
    expect(signaling.events('call:rejoin')).toEqual([{ callId: 'r4' }]);
    expect(peers).toHaveLength(1);
    expect(peers[0]!.remoteDescription).toBeNull();
    expect(calls.elsewhere()).toBeNull();
    signaling.push('signal', {
      callId: 'r4',
      from: bob.id,
      description: { type: 'offer', sdp: 'new' },
    });
    await flush();
    expect(peers[0]!.remoteDescription).toEqual({ type: 'offer', sdp: 'new' });
    // The call was answered long ago: the fresh connection's answer leaves at once (no
    // ringing hold, no Accept to wait for), or neither side ever connects.
    expect(signaling.events('signal')).toEqual([
      { callId: 'r4', description: { type: 'answer', sdp: 'answer' } },
    ]);
    peers[0]!.become('connected');
    expect(calls.state()).toMatchObject({ name: 'connected', connectedAt: 1_000 });
    calls.hangup();
    expect(sessionStorage.getItem('callgate.carriedCall')).toBeNull();
  });

  it('a rejoining caller sends the first offer of the fresh connection once the gateway took the rejoin', async () => {
    sessionStorage.setItem(
      'callgate.carriedCall',
      JSON.stringify({ callId: 'r6', connectedAt: 2_000 }),
    );
    signaling.push('call:resume', {
      callId: 'r6',
      peer: bob,
      role: 'caller',
      phase: 'active',
      video: true,
    });
    await flush();
    expect(signaling.events('call:rejoin')).toEqual([{ callId: 'r6' }]);
    expect(peers).toHaveLength(1);
    // The other side (polite callee) never offers first on a fresh connection: ours must go.
    peers[0]!.dispatchEvent(new Event('negotiationneeded'));
    await flush();
    expect(signaling.events('signal')).toEqual([
      { callId: 'r6', description: { type: 'offer', sdp: 'offer' } },
    ]);
    signaling.push('signal', {
      callId: 'r6',
      from: bob.id,
      description: { type: 'answer', sdp: 'theirs' },
    });
    await flush();
    expect(peers[0]!.remoteDescription).toEqual({ type: 'answer', sdp: 'theirs' });
    peers[0]!.become('connected');
    expect(calls.state()).toMatchObject({ name: 'connected', connectedAt: 2_000 });
  });

  it('another tab offers "Rejoin call"; the gateway refusing it ends with its sentence', async () => {
    signaling.push('call:resume', {
      callId: 'r5',
      peer: bob,
      role: 'caller',
      phase: 'active',
      video: true,
    });
    expect(calls.state().name).toBe('idle');
    expect(signaling.events('call:rejoin')).toEqual([]);
    signaling.answers.set('call:rejoin', () => ({
      ok: false,
      error: { code: 'forbidden', message: 'This call is connected in another tab.' },
    }));
    await calls.rejoin();
    expect(calls.state()).toMatchObject({
      name: 'ended',
      reason: 'failed',
      detail: 'This call is connected in another tab.',
    });
    expect(peers).toHaveLength(0);
  });

  it('a ringing call handed to this tab (the calling tab closed) can be rejoined once answered', async () => {
    signaling.push('call:resume', { callId: 'r7', peer: bob, role: 'caller', phase: 'ringing' });
    expect(calls.elsewhere()?.phase).toBe('ringing');
    await calls.rejoin();
    expect(signaling.events('call:rejoin')).toEqual([]);
    signaling.push('call:accepted', { callId: 'r7', role: 'caller' });
    expect(calls.elsewhere()?.phase).toBe('active');
    await calls.rejoin();
    expect(signaling.events('call:rejoin')).toEqual([{ callId: 'r7' }]);
    expect(calls.state()).toMatchObject({ name: 'connecting', callId: 'r7', role: 'caller' });
  });

  it('shows a still-ringing incoming call again', () => {
    signaling.push('call:resume', { callId: 'r1', peer: bob, role: 'callee', phase: 'ringing' });
    expect(calls.state()).toMatchObject({ name: 'incoming', callId: 'r1' });
  });

  it('never hangs up a live call it has no media for on its own; the person can end it', () => {
    signaling.push('call:resume', { callId: 'r2', peer: bob, role: 'caller', phase: 'active' });
    expect(calls.state().name).toBe('idle');
    expect(signaling.events('call:hangup')).toEqual([]);
    expect(calls.elsewhere()?.callId).toBe('r2');
    calls.endCallElsewhere();
    expect(signaling.events('call:hangup')).toEqual([{ callId: 'r2' }]);
    expect(calls.elsewhere()).toBeNull();
  });

  it('forgets the call elsewhere when the gateway ends it', () => {
    signaling.push('call:resume', { callId: 'r3', peer: bob, role: 'callee', phase: 'active' });
    signaling.push('call:ended', { callId: 'r3', reason: 'hangup' });
    expect(calls.elsewhere()).toBeNull();
  });
});
