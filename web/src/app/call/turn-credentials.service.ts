import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { TurnCredentials } from '@callgate/protocol';
import { firstValueFrom } from 'rxjs';

import { SignalingClient } from '../signaling/signaling-client';
import { PEER_CONNECTION_FACTORY } from './peer-connection-factory';
import { UdpRelayProbe } from './udp-relay-probe';

/** Keep a margin so a credential never expires in the middle of an allocation. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * TURN credentials, only ever from our gateway: pushed on the socket (`turn:credentials`)
 * and fetched fresh (`GET /api/turn/credentials`) before each call and each ICE restart.
 * With them, whether this network reaches the relay over UDP ({@link UdpRelayProbe}): a
 * call's connection then gets the relay over UDP only.
 */
@Injectable({ providedIn: 'root' })
export class TurnCredentialsService {
  private readonly http = inject(HttpClient);
  private readonly probe = new UdpRelayProbe(inject(PEER_CONNECTION_FACTORY));
  private latest: TurnCredentials | null = null;

  constructor() {
    inject(SignalingClient)
      .on('turn:credentials')
      .subscribe((credentials) => this.received(credentials));
    // Another network may block what this one let through, or let through what it blocked.
    globalThis.addEventListener?.('online', () => this.probe.forget());
    const connection = (globalThis.navigator as { connection?: EventTarget } | undefined)
      ?.connection;
    connection?.addEventListener?.('change', () => this.probe.forget());
  }

  /** Fresh credentials from the gateway. */
  fetch(): Promise<TurnCredentials> {
    return firstValueFrom(this.http.get<TurnCredentials>('/api/turn/credentials')).then((c) => {
      this.received(c);
      return c;
    });
  }

  /**
   * ICE servers for a connection created while a call rings: the ones the gateway pushed
   * on the socket while they stay valid (no round trip on the way to ringing), else fresh;
   * the relay over UDP only where this network is known to reach it.
   */
  async ready(): Promise<RTCIceServer[]> {
    const latest = this.latest;
    if (latest && Date.parse(latest.expiresAt) - Date.now() > EXPIRY_MARGIN_MS) {
      return this.probe.serversFor(toRtcIceServers(latest));
    }
    return this.probe.serversFor(await this.iceServers());
  }

  /**
   * Every ICE server, for a connection that has to be restarted (the path it had may be
   * gone, UDP included: the network is probed again) and for the diagnostics page.
   */
  async restartServers(): Promise<RTCIceServer[]> {
    this.probe.forget();
    return this.iceServers();
  }

  /** ICE servers for a new connection: fresh if possible, else the last pushed ones still valid. */
  async iceServers(): Promise<RTCIceServer[]> {
    try {
      return toRtcIceServers(await this.fetch());
    } catch (error) {
      const latest = this.latest;
      if (latest && Date.parse(latest.expiresAt) - Date.now() > EXPIRY_MARGIN_MS) {
        return toRtcIceServers(latest);
      }
      throw error;
    }
  }

  private received(credentials: TurnCredentials): void {
    this.latest = credentials;
    void this.probe.refresh(toRtcIceServers(credentials));
  }
}

export function toRtcIceServers(credentials: TurnCredentials): RTCIceServer[] {
  return credentials.iceServers.map((s) => ({
    urls: s.urls,
    username: s.username,
    credential: s.credential,
  }));
}
