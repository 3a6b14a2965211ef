import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { TurnCredentials } from '@callgate/protocol';

import { SignalingClient } from '../signaling/signaling-client';
import { PEER_CONNECTION_FACTORY } from './peer-connection-factory';
import { FakeSignaling } from './testing/fake-signaling';
import { ProbePeer, RELAY_CANDIDATE, probePeerFactory } from './testing/probe-peer';
import { TurnCredentialsService } from './turn-credentials.service';

const UDP = 'turn:turn.test:3478?transport=udp';
const TLS = 'turns:web.test:443?transport=tcp';

function credentials(): TurnCredentials {
  return {
    iceServers: [{ urls: [UDP, TLS], username: '1:u', credential: 'c' }],
    ttl: 3600,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('TurnCredentialsService', () => {
  let signaling: FakeSignaling;
  let peers: ProbePeer[];
  let turn: TurnCredentialsService;
  let backend: HttpTestingController;

  beforeEach(() => {
    signaling = new FakeSignaling();
    peers = [];
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: SignalingClient, useValue: signaling },
        { provide: PEER_CONNECTION_FACTORY, useValue: probePeerFactory(peers) },
      ],
    });
    turn = TestBed.inject(TurnCredentialsService);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  const urls = (servers: RTCIceServer[]) => servers.flatMap((s) => s.urls);

  it('pushed credentials start a probe; once UDP answers, a call gets the relay over UDP only', async () => {
    signaling.push('turn:credentials', credentials());
    expect(peers).toHaveLength(1);
    // Until the relay answered: every URL (the TLS one reaches networks without UDP).
    expect(urls(await turn.ready())).toEqual([UDP, TLS]);
    peers[0]!.gather(RELAY_CANDIDATE);
    peers[0]!.gather(null);
    await flush();
    expect(peers[0]!.closed).toBe(true);
    expect(urls(await turn.ready())).toEqual([UDP]);
    // A restart gets everything (the path it had may be gone) and the network is probed again.
    const restart = turn.restartServers();
    backend.expectOne('/api/turn/credentials').flush(credentials());
    expect(urls(await restart)).toEqual([UDP, TLS]);
    expect(peers).toHaveLength(2);
    expect(urls(await turn.ready())).toEqual([UDP, TLS]);
    peers[1]!.gather(null);
  });

  it('keeps every URL on a network where the relay never answers over UDP', async () => {
    signaling.push('turn:credentials', credentials());
    peers[0]!.gather(null);
    await flush();
    expect(urls(await turn.ready())).toEqual([UDP, TLS]);
  });

  it('a network change forgets what UDP did on the old one', async () => {
    signaling.push('turn:credentials', credentials());
    peers[0]!.gather(RELAY_CANDIDATE);
    peers[0]!.gather(null);
    await flush();
    expect(urls(await turn.ready())).toEqual([UDP]);
    globalThis.dispatchEvent(new Event('online'));
    expect(urls(await turn.ready())).toEqual([UDP, TLS]);
  });
});
