import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { jest } from '@jest/globals';
import type { UserSummary } from '@callgate/protocol';

import { SignalingClient } from '../signaling/signaling-client';
import { CallComponent } from './call.component';
import type { CallState } from './call-state';
import { CallService } from './call.service';
import { FIRST_PICTURE_FALLBACK_MS } from './first-picture';
import { MediaDevicesService } from './media-devices.service';

const bob: UserSummary = { id: 'u-bob', username: 'bob', displayName: 'Bob' };

/** What the call screen reads of CallService, as plain signals the test sets. */
function fakeCalls(initial: CallState) {
  return {
    state: signal<CallState>(initial),
    stats: signal(null),
    statsHistory: signal([]),
    remoteMedia: signal(null),
    remoteStream: signal(null),
    localStream: signal(null),
    mediaProblem: signal(null),
    relayOnly: signal(false),
    micMuted: signal(false),
    cameraOff: signal(false),
    sharingScreen: signal(false),
    chat: signal([]),
    chatOpen: signal(false),
    hangup: jest.fn(),
    sendChat: jest.fn(() => null),
  };
}

describe('CallComponent: what the answer renders', () => {
  let presentFrame: (() => void) | null;
  let refresh: jest.Mock<() => Promise<void>>;

  beforeEach(() => {
    jest.useFakeTimers();
    presentFrame = null;
    // jsdom plays no video: the test presents the remote video's first frame itself.
    (
      HTMLVideoElement.prototype as { requestVideoFrameCallback?: (run: () => void) => number }
    ).requestVideoFrameCallback = function (this: HTMLVideoElement, run: () => void) {
      if (this.classList.contains('remote')) presentFrame = run;
      return 1;
    };
    refresh = jest.fn(() => Promise.resolve());
  });

  afterEach(() => {
    jest.useRealTimers();
    delete (HTMLVideoElement.prototype as { requestVideoFrameCallback?: unknown })
      .requestVideoFrameCallback;
  });

  function render(state: CallState) {
    const calls = fakeCalls(state);
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        { provide: CallService, useValue: calls },
        { provide: SignalingClient, useValue: { state: signal('online') } },
        {
          provide: MediaDevicesService,
          useValue: {
            devices: signal({ cameras: [], microphones: [], speakers: [] }),
            cameraId: signal(null),
            microphoneId: signal(null),
            speakerId: signal(null),
            refresh,
          },
        },
      ],
    });
    const fixture = TestBed.createComponent(CallComponent);
    fixture.detectChanges();
    const page = fixture.nativeElement as HTMLElement;
    const shown = () => ({
      chat: page.querySelector('[data-testid="chat"]') !== null,
      stats: page.querySelector('[data-testid="rtt"]') !== null,
      devices: page.querySelector('details.devices') !== null,
      badge: page.querySelector('[data-testid="connection-badge"]') !== null,
    });
    return { fixture, calls, shown };
  }

  it('callee: the answer renders header, videos and controls; chat, devices and stats follow the first picture', async () => {
    const { fixture, shown } = render({
      name: 'connecting',
      callId: 'c1',
      peer: bob,
      role: 'callee',
    });
    expect(shown()).toEqual({ chat: false, stats: false, devices: false, badge: true });
    expect(refresh).not.toHaveBeenCalled();
    expect(presentFrame).not.toBeNull();
    presentFrame!();
    // Then the page's next idle moment (a timer where requestIdleCallback is missing).
    await jest.advanceTimersByTimeAsync(1);
    fixture.detectChanges();
    expect(shown()).toEqual({ chat: true, stats: true, devices: true, badge: true });
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('without a picture (a voice call) the rest follows after the fallback', async () => {
    const { fixture, shown } = render({
      name: 'connecting',
      callId: 'c2',
      peer: bob,
      role: 'callee',
    });
    await jest.advanceTimersByTimeAsync(FIRST_PICTURE_FALLBACK_MS - 10);
    fixture.detectChanges();
    expect(shown().chat).toBe(false);
    await jest.advanceTimersByTimeAsync(20);
    fixture.detectChanges();
    expect(shown()).toEqual({ chat: true, stats: true, devices: true, badge: true });
  });

  it('caller: devices while it rings, chat and stats only after the first picture once answered', async () => {
    const { fixture, calls, shown } = render({ name: 'outgoing', callId: 'c3', peer: bob });
    expect(shown()).toEqual({ chat: false, stats: false, devices: true, badge: false });
    expect(refresh).toHaveBeenCalledTimes(1);
    calls.state.set({ name: 'connecting', callId: 'c3', peer: bob, role: 'caller' });
    fixture.detectChanges();
    expect(shown()).toEqual({ chat: false, stats: false, devices: true, badge: true });
    presentFrame!();
    await jest.advanceTimersByTimeAsync(1);
    fixture.detectChanges();
    expect(shown()).toEqual({ chat: true, stats: true, devices: true, badge: true });
  });

  it('back on the screen of a call that is up: everything at once', () => {
    const { shown } = render({
      name: 'connected',
      callId: 'c4',
      peer: bob,
      role: 'callee',
      connectedAt: Date.now(),
    });
    expect(shown()).toEqual({ chat: true, stats: true, devices: true, badge: true });
  });
});
