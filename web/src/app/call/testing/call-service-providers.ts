import type { Provider } from '@angular/core';
import { jest } from '@jest/globals';

import { SignalingClient } from '../../signaling/signaling-client';
import { PEER_CONNECTION_FACTORY } from '../peer-connection-factory';
import { MediaDevicesService } from '../media-devices.service';
import { TurnCredentialsService } from '../turn-credentials.service';
import { FakeRtcPeer } from './fake-rtc';
import type { FakeSignaling } from './fake-signaling';

/**
 * What a `CallService` under test talks to: the fake signaling, TURN credentials that
 * resolve to `iceServers`, devices that open nothing, and peer connections recorded in
 * `peers` as they are made. Used by unit tests only.
 */
export function callServiceProviders(
  signaling: FakeSignaling,
  peers: FakeRtcPeer[],
  iceServers: RTCIceServer[] = [],
): Provider[] {
  return [
    { provide: SignalingClient, useValue: signaling },
    {
      provide: TurnCredentialsService,
      useValue: {
        iceServers: jest.fn(() => Promise.resolve(iceServers)),
        ready: jest.fn(() => Promise.resolve(iceServers)),
        restartServers: jest.fn(() => Promise.resolve(iceServers)),
      },
    },
    {
      provide: MediaDevicesService,
      useValue: { open: jest.fn(() => Promise.resolve({ stream: null, problem: null })) },
    },
    {
      provide: PEER_CONNECTION_FACTORY,
      useValue: (c: RTCConfiguration) => {
        const pc = new FakeRtcPeer(c);
        peers.push(pc);
        return pc as unknown as RTCPeerConnection;
      },
    },
  ];
}
