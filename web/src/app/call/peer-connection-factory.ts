import { InjectionToken } from '@angular/core';

/** How the app makes an RTCPeerConnection; tests provide fakes. */
export const PEER_CONNECTION_FACTORY = new InjectionToken<
  (configuration: RTCConfiguration) => RTCPeerConnection
>('PEER_CONNECTION_FACTORY', {
  factory: () => (configuration) => new RTCPeerConnection(configuration),
});
