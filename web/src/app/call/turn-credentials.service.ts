import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { TurnCredentials } from '@callgate/protocol';
import { firstValueFrom } from 'rxjs';

import { SignalingClient } from '../signaling/signaling-client';

/** Keep a margin so a credential never expires in the middle of an allocation. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * TURN credentials, only ever from our gateway: pushed on the socket (`turn:credentials`)
 * and fetched fresh (`GET /api/turn/credentials`) before each call and each ICE restart.
 */
@Injectable({ providedIn: 'root' })
export class TurnCredentialsService {
  private readonly http = inject(HttpClient);
  private latest: TurnCredentials | null = null;

  constructor() {
    inject(SignalingClient)
      .on('turn:credentials')
      .subscribe((credentials) => (this.latest = credentials));
  }

  /** Fresh credentials from the gateway. */
  fetch(): Promise<TurnCredentials> {
    return firstValueFrom(this.http.get<TurnCredentials>('/api/turn/credentials')).then((c) => {
      this.latest = c;
      return c;
    });
  }

  /**
   * ICE servers for a connection created while a call rings: the ones the gateway pushed
   * on the socket while they stay valid (no round trip on the way to ringing), else fresh.
   */
  async ready(): Promise<RTCIceServer[]> {
    const latest = this.latest;
    if (latest && Date.parse(latest.expiresAt) - Date.now() > EXPIRY_MARGIN_MS) {
      return toRtcIceServers(latest);
    }
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
}

export function toRtcIceServers(credentials: TurnCredentials): RTCIceServer[] {
  return credentials.iceServers.map((s) => ({
    urls: s.urls,
    username: s.username,
    credential: s.credential,
  }));
}
