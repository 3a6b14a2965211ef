import type {
  AuthSession,
  CallHistory,
  ClientAck,
  ClientPayload,
  ClientToServerEvents,
  EmptyAck,
} from '@callgate/protocol';
import { MAX_SDP_BYTES } from '@callgate/protocol';
import {
  type ClientSocket,
  collect,
  connected,
  connectSocket,
  delay,
  nextEvent,
  registerUser,
  type RunningGateway,
  type TestUser,
} from './support/gateway-harness';
import { integrationSuite } from './support/integration-suite';

const RING_TIMEOUT_MS = 1500;
const GRACE_MS = 1000;

const suite = integrationSuite();
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await suite.gateway({
    RING_TIMEOUT_MS: String(RING_TIMEOUT_MS),
    RECONNECT_GRACE_MS: String(GRACE_MS),
    SIGNALING_RATE_BURST: '40',
    SIGNALING_RATE_PER_SECOND: '10',
  });
});

async function open(user: TestUser, token = user.token): Promise<ClientSocket> {
  return suite.open(gateway.baseUrl, token);
}

function send<E extends keyof ClientToServerEvents>(
  socket: ClientSocket,
  event: E,
  payload: ClientPayload<E>,
): Promise<ClientAck<E>> {
  return (
    socket.timeout(5000).emitWithAck as (
      event: E,
      payload: ClientPayload<E>,
    ) => Promise<ClientAck<E>>
  )(event, payload);
}

async function invite(caller: ClientSocket, callee: TestUser): Promise<string> {
  const ack = await send(caller, 'call:invite', { to: callee.id });
  if (!ack.ok) throw new Error(`invite refused: ${ack.error.code} ${ack.error.message}`);
  return ack.callId;
}

async function history(user: TestUser): Promise<CallHistory> {
  const response = await fetch(`${gateway.baseUrl}/api/calls/recent`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  return (await response.json()) as CallHistory;
}

/** History is written asynchronously at call end: poll briefly. */
async function eventuallyRecorded(
  user: TestUser,
  callId: string,
): Promise<CallHistory['calls'][number]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const found = (await history(user)).calls.find((call) => call.id === callId);
    if (found !== undefined) return found;
    await delay(50);
  }
  throw new Error(`call ${callId} was never recorded`);
}

async function answered(
  caller: ClientSocket,
  callee: TestUser,
  calleeSocket: ClientSocket,
): Promise<string> {
  const incoming = nextEvent(calleeSocket, 'call:incoming');
  const callId = await invite(caller, callee);
  await incoming;
  const accepted = nextEvent(caller, 'call:accepted');
  expect(await send(calleeSocket, 'call:accept', { callId })).toEqual({ ok: true });
  await accepted;
  return callId;
}

describe('signaling handshake', () => {
  it('refuses a missing, forged or expired token with connect_error', async () => {
    const user = await registerUser(gateway.baseUrl, 'hs');
    const missing = connectSocket(gateway.baseUrl, '');
    await expect(connected(missing)).rejects.toThrow('unauthorized');
    missing.disconnect();
    const forged = connectSocket(gateway.baseUrl, `${user.token.slice(0, -4)}AAAA`);
    await expect(connected(forged)).rejects.toThrow('unauthorized');
    forged.disconnect();

    const shortLived = await suite.gateway({ ACCESS_TOKEN_TTL_SECONDS: '2' });
    try {
      const login = await fetch(`${shortLived.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: user.session.user.username,
          password: 'correct horse battery',
        }),
      });
      const { accessToken } = (await login.json()) as AuthSession;
      await delay(2100);
      const expired = connectSocket(shortLived.baseUrl, accessToken);
      await expect(connected(expired)).rejects.toThrow('token_expired');
      expired.disconnect();
    } finally {
      await shortLived.close();
    }
  });

  it('tells a socket about exactly the people it subscribed to, nobody else', async () => {
    const alice = await registerUser(gateway.baseUrl, 'pa');
    const bob = await registerUser(gateway.baseUrl, 'pb');
    const carol = await registerUser(gateway.baseUrl, 'pc');
    const a = await open(alice);
    const c = await open(carol);
    const heardByCarol = collect(c, 'presence');
    // The client's `connect` precedes the server's presence write (one Redis round trip).
    await delay(200);
    expect(await send(a, 'presence:subscribe', { userIds: [bob.id, carol.id] })).toEqual({
      ok: true,
      online: [carol.id],
    });
    expect(await send(a, 'presence:subscribe', { userIds: ['not-a-uuid'] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    const online = nextEvent(a, 'presence', 5000, (change) => change.userId === bob.id);
    const bobSocket = await open(bob);
    expect(await online).toEqual({ userId: bob.id, online: true });
    const contacts = await fetch(
      `${gateway.baseUrl}/api/users?query=${bob.session.user.username}`,
      {
        headers: { authorization: `Bearer ${alice.token}` },
      },
    );
    expect(((await contacts.json()) as { users: { online: boolean }[] }).users[0]!.online).toBe(
      true,
    );

    const offline = nextEvent(
      a,
      'presence',
      5000,
      (change) => change.userId === bob.id && !change.online,
    );
    bobSocket.disconnect();
    expect(await offline).toEqual({ userId: bob.id, online: false });

    // Unsubscribed: Bob coming back is not Alice's business any more.
    expect(await send(a, 'presence:unsubscribe', { userIds: [bob.id] })).toEqual({ ok: true });
    const heardByAlice = collect(a, 'presence');
    await open(bob);
    await delay(300);
    expect(heardByAlice).toEqual([]);
    // Carol never subscribed to anyone.
    expect(heardByCarol).toEqual([]);
  });
});

describe('a call between two people', () => {
  it('invite → accept → offer/answer/candidates → hangup, with an outsider refused and never delivered', async () => {
    const alice = await registerUser(gateway.baseUrl, 'ca');
    const bob = await registerUser(gateway.baseUrl, 'cb');
    const mallory = await registerUser(gateway.baseUrl, 'cm');
    const a = await open(alice);
    const b1 = await open(bob);
    const b2 = await open(bob);
    const m = await open(mallory);
    const toAlice = collect(a, 'signal');
    const toBob1 = collect(b1, 'signal');
    const toBob2 = collect(b2, 'signal');
    const toMallory = collect(m, 'signal');

    const ring1 = nextEvent(b1, 'call:incoming');
    const ring2 = nextEvent(b2, 'call:incoming');
    const callId = await invite(a, bob);
    const from = {
      id: alice.id,
      username: alice.session.user.username,
      displayName: alice.session.user.displayName,
    };
    expect(await ring1).toEqual({ callId, from, video: true });
    expect(await ring2).toEqual({ callId, from, video: true });

    const acceptedA = nextEvent(a, 'call:accepted');
    const acceptedB = nextEvent(b1, 'call:accepted');
    const elsewhere = nextEvent(b2, 'call:ended');
    expect(await send(b1, 'call:accept', { callId })).toEqual({ ok: true });
    expect(await acceptedA).toEqual({ callId, role: 'caller' });
    expect(await acceptedB).toEqual({ callId, role: 'callee' });
    expect(await elsewhere).toEqual({ callId, reason: 'answered_elsewhere' });
    const late = await send(b2, 'call:accept', { callId });
    expect(late).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const offer = { type: 'offer' as const, sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n' };
    const answer = { type: 'answer' as const, sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\n' };
    const candidateA = {
      candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    };
    const candidateB = {
      candidate: 'candidate:2 1 udp 2122260223 127.0.0.1 50001 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    };
    expect(await send(a, 'signal', { callId, description: offer })).toEqual({ ok: true });
    expect(await send(b1, 'signal', { callId, description: answer })).toEqual({ ok: true });
    expect(await send(a, 'signal', { callId, candidate: candidateA })).toEqual({ ok: true });
    expect(await send(b1, 'signal', { callId, candidate: candidateB })).toEqual({ ok: true });
    expect(await send(b1, 'signal', { callId, candidate: null })).toEqual({ ok: true });

    // The outsider, and Bob's other tab, are refused.
    const intrusion = await send(m, 'signal', {
      callId,
      description: { type: 'offer', sdp: 'v=0\r\nmalicious' },
    });
    expect(intrusion).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'You are not a member of this call.' },
    });
    expect(await send(m, 'call:hangup', { callId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await send(b2, 'signal', { callId, candidate: null })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    const ended = nextEvent(b1, 'call:ended');
    expect(await send(a, 'call:hangup', { callId })).toEqual({ ok: true });
    expect(await ended).toEqual({ callId, reason: 'hangup' });
    await delay(100);

    expect(toBob1).toEqual([
      { callId, from: alice.id, description: offer },
      { callId, from: alice.id, candidate: candidateA },
    ]);
    expect(toAlice).toEqual([
      { callId, from: bob.id, description: answer },
      { callId, from: bob.id, candidate: candidateB },
      { callId, from: bob.id, candidate: null },
    ]);
    expect(toBob2).toEqual([]);
    expect(toMallory).toEqual([]);

    const record = await eventuallyRecorded(bob, callId);
    expect(record).toMatchObject({ direction: 'incoming', reason: 'hangup', missed: false });
    expect(record.answeredAt).not.toBeNull();
    expect((await eventuallyRecorded(alice, callId)).direction).toBe('outgoing');
  });

  it('declined: the callee says no', async () => {
    const alice = await registerUser(gateway.baseUrl, 'da');
    const bob = await registerUser(gateway.baseUrl, 'db');
    const a = await open(alice);
    const b = await open(bob);
    const ring = nextEvent(b, 'call:incoming');
    const callId = await invite(a, bob);
    await ring;
    const ended = nextEvent(a, 'call:ended');
    expect(await send(b, 'call:decline', { callId })).toEqual({ ok: true });
    expect(await ended).toEqual({ callId, reason: 'declined' });
  });

  it('cancelled: the caller hangs up while it rings, a missed call for the callee', async () => {
    const alice = await registerUser(gateway.baseUrl, 'xa');
    const bob = await registerUser(gateway.baseUrl, 'xb');
    const a = await open(alice);
    const b = await open(bob);
    const ring = nextEvent(b, 'call:incoming');
    const callId = await invite(a, bob);
    await ring;
    const ended = nextEvent(b, 'call:ended');
    expect(await send(a, 'call:hangup', { callId })).toEqual({ ok: true });
    expect(await ended).toEqual({ callId, reason: 'cancelled' });
    expect(await eventuallyRecorded(bob, callId)).toMatchObject({
      reason: 'cancelled',
      missed: true,
    });
  });

  it('timeout: nobody answers within the ring timeout; recorded as a missed call', async () => {
    const alice = await registerUser(gateway.baseUrl, 'ta');
    const bob = await registerUser(gateway.baseUrl, 'tb');
    const a = await open(alice);
    const b = await open(bob);
    const started = Date.now();
    const callId = await invite(a, bob);
    const [forCaller, forCallee] = await Promise.all([
      nextEvent(a, 'call:ended', RING_TIMEOUT_MS + 3000),
      nextEvent(b, 'call:ended', RING_TIMEOUT_MS + 3000),
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(RING_TIMEOUT_MS - 50);
    expect(forCaller).toEqual({ callId, reason: 'timeout' });
    expect(forCallee).toEqual({ callId, reason: 'timeout' });
    expect(await eventuallyRecorded(bob, callId)).toMatchObject({
      direction: 'incoming',
      reason: 'timeout',
      missed: true,
      answeredAt: null,
      durationSeconds: 0,
    });
  });

  it('busy: calling someone who is already in a call', async () => {
    const alice = await registerUser(gateway.baseUrl, 'ba');
    const bob = await registerUser(gateway.baseUrl, 'bb');
    const carol = await registerUser(gateway.baseUrl, 'bc');
    const a = await open(alice);
    const b = await open(bob);
    const c = await open(carol);
    const first = await answered(a, bob, b);
    const bobRings = collect(b, 'call:incoming');
    // Callbacks (not promises) record the exact arrival order of the ack and call:ended.
    const arrivals: string[] = [];
    c.on('call:ended', (payload) => arrivals.push(`ended:${payload.reason}:${payload.callId}`));
    const ended = nextEvent(c, 'call:ended');
    const callId = await new Promise<string>((resolve, reject) => {
      c.emit('call:invite', { to: bob.id }, (ack) => {
        arrivals.push(`ack:${ack.ok ? ack.callId : ack.error.code}`);
        if (ack.ok) resolve(ack.callId);
        else reject(new Error(ack.error.message));
      });
    });
    expect(await ended).toEqual({ callId, reason: 'busy' });
    // The ack (with the id) arrives before the call:ended that names it.
    expect(arrivals).toEqual([`ack:${callId}`, `ended:busy:${callId}`]);
    expect(callId).not.toBe(first);
    expect(bobRings).toEqual([]);
    // The first call is untouched.
    expect(await send(a, 'signal', { callId: first, candidate: null })).toEqual({ ok: true });
    expect(await eventuallyRecorded(carol, callId)).toMatchObject({
      reason: 'busy',
      direction: 'outgoing',
    });
  });

  it('disconnected: a member whose sockets all drop does not return within the grace period', async () => {
    const alice = await registerUser(gateway.baseUrl, 'ga');
    const bob = await registerUser(gateway.baseUrl, 'gb');
    const a = await open(alice);
    const b = await open(bob);
    const callId = await answered(a, bob, b);
    const ended = nextEvent(a, 'call:ended', GRACE_MS + 3000);
    const dropped = Date.now();
    b.disconnect();
    expect(await ended).toEqual({ callId, reason: 'disconnected' });
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(GRACE_MS - 50);
  });

  it('a reconnect with a fresh token inside the grace period resumes presence and the call', async () => {
    const alice = await registerUser(gateway.baseUrl, 'ra');
    const bob = await registerUser(gateway.baseUrl, 'rb');
    const a = await open(alice);
    const b = await open(bob);
    const callId = await answered(a, bob, b);
    // Alice's page shows Bob (presence is scoped to what a page asks for).
    expect(await send(a, 'presence:subscribe', { userIds: [bob.id] })).toMatchObject({ ok: true });
    const aliceEnds = collect(a, 'call:ended');
    b.disconnect();
    await delay(GRACE_MS / 3);

    const refreshed = await fetch(`${gateway.baseUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { cookie: bob.cookie },
    });
    const { accessToken } = (await refreshed.json()) as AuthSession;
    const again = connectSocket(gateway.baseUrl, accessToken);
    suite.track(again);
    const resume = nextEvent(again, 'call:resume');
    const backOnline = nextEvent(
      a,
      'presence',
      5000,
      (change) => change.userId === bob.id && change.online,
    );
    await connected(again);
    expect(await resume).toEqual({
      callId,
      role: 'callee',
      phase: 'active',
      video: true,
      peer: {
        id: alice.id,
        username: alice.session.user.username,
        displayName: alice.session.user.displayName,
      },
    });
    await backOnline;
    const relayed = nextEvent(a, 'signal');
    expect(
      await send(again, 'signal', { callId, description: { type: 'offer', sdp: 'v=0\r\n' } }),
    ).toEqual({ ok: true });
    expect(await relayed).toEqual({
      callId,
      from: bob.id,
      description: { type: 'offer', sdp: 'v=0\r\n' },
    });
    // The reloaded tab rejoins with a fresh connection: alice is told to renegotiate.
    const rejoined = nextEvent(a, 'call:peer-rejoined');
    expect(await send(again, 'call:rejoin', { callId })).toEqual({ ok: true });
    expect(await rejoined).toEqual({ callId });
    expect(await send(a, 'call:rejoin', { callId })).toMatchObject({
      ok: true,
    });
    await delay(GRACE_MS + 200);
    expect(aliceEnds).toEqual([]);
  });

  it('crossing invites between the same two people resolve to one call', async () => {
    const alice = await registerUser(gateway.baseUrl, 'ka');
    const bob = await registerUser(gateway.baseUrl, 'kb');
    const a = await open(alice);
    const b = await open(bob);
    const acceptedA = nextEvent(a, 'call:accepted');
    const acceptedB = nextEvent(b, 'call:accepted');
    const [fromAlice, fromBob] = await Promise.all([
      send(a, 'call:invite', { to: bob.id }),
      send(b, 'call:invite', { to: alice.id }),
    ]);
    expect(fromAlice.ok && fromBob.ok).toBe(true);
    const ids = [fromAlice, fromBob].map((ack) => (ack.ok ? ack.callId : ''));
    expect(ids[0]).toBe(ids[1]);
    const [forA, forB] = await Promise.all([acceptedA, acceptedB]);
    expect(forA.callId).toBe(ids[0]);
    expect(forB.callId).toBe(ids[0]);
    expect([forA.role, forB.role].sort()).toEqual(['callee', 'caller']);
    expect(await send(a, 'signal', { callId: ids[0]!, candidate: null })).toEqual({ ok: true });
  });
});

describe('signaling input limits', () => {
  it('answers an event it does not know with unknown_event, and the socket keeps working', async () => {
    const alice = await registerUser(gateway.baseUrl, 'ua');
    const a = await open(alice);
    const ack = await (a.timeout(5000).emitWithAck as (e: string, p: unknown) => Promise<EmptyAck>)(
      'call:teleport',
      { to: 'mars' },
    );
    expect(ack).toEqual({
      ok: false,
      error: {
        code: 'unknown_event',
        message: expect.stringContaining('call:teleport') as unknown,
      },
    });
    expect(a.connected).toBe(true);
    expect(
      await send(a, 'call:hangup', { callId: '9c1c2a51-8a8b-4c55-9b55-2f1f1f1f1f1f' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('refuses malformed and oversized payloads with invalid_payload and changes nothing', async () => {
    const alice = await registerUser(gateway.baseUrl, 'va');
    const bob = await registerUser(gateway.baseUrl, 'vb');
    const a = await open(alice);
    const b = await open(bob);
    const bobRings = collect(b, 'call:incoming');
    const bad: [keyof ClientToServerEvents, unknown][] = [
      ['call:invite', { to: 'bob' }],
      ['call:invite', 'bob'],
      ['call:invite', { to: bob.id, extra: 1 }],
      ['call:invite', { to: bob.id, video: 'no' }],
      ['call:accept', {}],
      ['call:rejoin', { callId: 'x' }],
      ['signal', { callId: '9c1c2a51-8a8b-4c55-9b55-2f1f1f1f1f1f' }],
    ];
    for (const [event, payload] of bad) {
      const ack = await (
        a.timeout(5000).emitWithAck as (e: string, p: unknown) => Promise<EmptyAck>
      )(event, payload);
      expect(ack).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    expect(bobRings).toEqual([]);

    const callId = await answered(a, bob, b);
    const toBob = collect(b, 'signal');
    const tooBig = await send(a, 'signal', {
      callId,
      description: { type: 'offer', sdp: 'a'.repeat(MAX_SDP_BYTES + 1) },
    });
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const badCandidate = await send(a, 'signal', {
      callId,
      candidate: { candidate: 'c'.repeat(1025) },
    });
    expect(badCandidate).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    await delay(100);
    expect(toBob).toEqual([]);
  });

  it('closes a socket that sends a frame larger than maxHttpBufferSize', async () => {
    const user = await registerUser(gateway.baseUrl, 'big');
    const socket = await open(user);
    const closed = new Promise<string>((resolve) =>
      socket.once('disconnect', (reason) => resolve(reason)),
    );
    socket.emit(
      'signal',
      { callId: 'x', description: { type: 'offer', sdp: 'a'.repeat(200 * 1024) } },
      () => undefined,
    );
    expect(await closed).toBe('transport close');
  });

  it('rate-limits a flooding socket with rate_limited', async () => {
    const user = await registerUser(gateway.baseUrl, 'flood');
    const socket = await open(user);
    const acks = await Promise.all(
      Array.from({ length: 100 }, () =>
        send(socket, 'call:hangup', { callId: '9c1c2a51-8a8b-4c55-9b55-2f1f1f1f1f1f' }),
      ),
    );
    const codes = acks.map((ack) => (ack.ok ? 'ok' : ack.error.code));
    expect(codes.filter((code) => code === 'not_found').length).toBeGreaterThanOrEqual(40);
    expect(codes.filter((code) => code === 'rate_limited').length).toBeGreaterThan(0);
  });

  // `signal` skips Nest's pipeline (DirectHandlers): the same guard must still apply.
  it('rate-limits a flood of signals the same way', async () => {
    const user = await registerUser(gateway.baseUrl, 'sflood');
    const socket = await open(user);
    const acks = await Promise.all(
      Array.from({ length: 100 }, () =>
        send(socket, 'signal', { callId: '9c1c2a51-8a8b-4c55-9b55-2f1f1f1f1f1f', candidate: null }),
      ),
    );
    const codes = acks.map((ack) => (ack.ok ? 'ok' : ack.error.code));
    expect(codes.filter((code) => code === 'forbidden').length).toBeGreaterThanOrEqual(40);
    expect(codes.filter((code) => code === 'rate_limited').length).toBeGreaterThan(0);
    expect(codes.filter((code) => code !== 'forbidden' && code !== 'rate_limited')).toEqual([]);
  });
});

describe('access-token lifetime on a live socket', () => {
  it('warns with auth:expiring, disconnects at expiry, and auth:refresh keeps a socket alive', async () => {
    const shortLived = await suite.gateway({ ACCESS_TOKEN_TTL_SECONDS: '4' });
    const local: ClientSocket[] = [];
    try {
      const user = await registerUser(shortLived.baseUrl, 'ttl');
      const lazy = connectSocket(shortLived.baseUrl, user.token);
      const diligent = connectSocket(shortLived.baseUrl, user.token);
      local.push(lazy, diligent);
      await Promise.all([connected(lazy), connected(diligent)]);
      const lazyGone = new Promise<string>((resolve) =>
        lazy.once('disconnect', (reason) => resolve(reason)),
      );

      const warning = await nextEvent(diligent, 'auth:expiring', 5000);
      expect(Date.parse(warning.expiresAt)).toBeGreaterThan(Date.now());
      const refresh = await fetch(`${shortLived.baseUrl}/api/auth/refresh`, {
        method: 'POST',
        headers: { cookie: user.cookie },
      });
      const { accessToken } = (await refresh.json()) as AuthSession;
      const renewed = await send(diligent, 'auth:refresh', { token: accessToken });
      expect(renewed.ok).toBe(true);

      const other = await registerUser(shortLived.baseUrl, 'ttlother');
      const foreign = await send(diligent, 'auth:refresh', { token: other.token });
      expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await send(diligent, 'auth:refresh', { token: 'nonsense' })).toMatchObject({
        ok: false,
        error: { code: 'unauthorized' },
      });

      expect(await lazyGone).toBe('io server disconnect');
      await delay(500);
      expect(diligent.connected).toBe(true);
    } finally {
      for (const socket of local) socket.disconnect();
      await shortLived.close();
    }
  });
});

describe('metrics after real traffic', () => {
  it('exposes sockets, calls, outcomes, TURN issuance, messages and errors', async () => {
    const text = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    expect(text).toMatch(/^callgate_signaling_connected_sockets\{[^}]*\} \d+$/m);
    expect(text).toMatch(/^callgate_calls_active\{phase="active"[^}]*\} \d+$/m);
    for (const reason of [
      'hangup',
      'declined',
      'cancelled',
      'timeout',
      'busy',
      'disconnected',
      'answered_elsewhere',
    ]) {
      expect(text).toMatch(
        new RegExp(`^callgate_call_outcomes_total\\{reason="${reason}"[^}]*\\} [1-9]`, 'm'),
      );
    }
    expect(text).toMatch(/^callgate_turn_credentials_issued_total\{channel="socket"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^callgate_signaling_messages_total\{event="signal"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^callgate_errors_total\{transport="ws",code="forbidden"[^}]*\} [1-9]/m);
    expect(text).toMatch(
      /^callgate_errors_total\{transport="ws",code="rate_limited"[^}]*\} [1-9]/m,
    );
  });
});

describe('graceful shutdown', () => {
  it('closes live sockets and stops answering HTTP', async () => {
    const own = await suite.gateway();
    const user = await registerUser(own.baseUrl, 'shutdown');
    const socket = connectSocket(own.baseUrl, user.token);
    try {
      await connected(socket);
      const gone = new Promise<string>((resolve) =>
        socket.once('disconnect', (reason) => resolve(reason)),
      );
      await own.close();
      expect(['transport close', 'io server disconnect']).toContain(await gone);
      const health = await fetch(`${own.baseUrl}/api/health`).then(
        () => 'answered',
        () => 'refused',
      );
      expect(health).toBe('refused');
    } finally {
      socket.disconnect();
    }
  });
});
