/**
 * Signaling load generator, run as a child process pinned to its own core. Holds N
 * authenticated sockets in caller/callee pairs and runs complete call set-ups (invite,
 * accept, offer, answer, trickled candidates, hangup) at a fixed open-loop rate,
 * measuring every relayed message from emit (sender) to delivery (the peer's handler).
 * Both ends live in this process, so one monotonic clock times them.
 */
import { performance } from 'node:perf_hooks';
import { PRESENCE_SUBSCRIBE_MAX_IDS, type Ack, type SignalRelayed } from '@callgate/protocol';
import { connectClient, type BenchUser } from '../lib/clients.ts';
import { connectAll } from '../lib/connect-all.ts';
import { summarize } from '../lib/stats.ts';
import type { LoadgenCommand, LoadgenReply, StepResult } from './loadgen-protocol.ts';
import { iceCandidate, sessionDescription } from './payloads.ts';
import { socketIoLoadSocket, type LoadSocket } from './load-socket.ts';
import { WireClient } from './wire-client.ts';

const MESSAGE_TIMEOUT_MS = 5_000;
const WATCH_CONCURRENCY = 32;

class StepFailure extends Error {}

/** FIFO of emit times per (receiver, event): socket.io keeps per-connection order. */
type Inbox = Map<string, { sentAt: number; resolve: (latency: number) => void }[]>;

interface Peer {
  user: BenchUser;
  socket: LoadSocket;
  inbox: Inbox;
}

interface Pair {
  caller: Peer;
  callee: Peer;
  seed: number;
  /** The call in progress, once the invite was acknowledged. */
  callId: string | null;
}

let peers: Peer[] = [];
/** `presence` events heard by every socket of this generator (section 3's fan-out row). */
let presenceHeard = 0;
/** socket.io packets (events and acks) the server wrote to this generator's sockets. */
let packetsHeard = 0;
let freePairs: Pair[] = [];

function send(reply: LoadgenReply): void {
  process.send!(reply);
}

function expect(peer: Peer, key: string, sentAt: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const queue = peer.inbox.get(key) ?? [];
    peer.inbox.set(key, queue);
    const timer = setTimeout(() => reject(new StepFailure(`timeout:${key}`)), MESSAGE_TIMEOUT_MS);
    queue.push({
      sentAt,
      resolve: (latency) => {
        clearTimeout(timer);
        resolve(latency);
      },
    });
  });
}

function deliver(peer: Peer, key: string): void {
  const waiter = peer.inbox.get(key)?.shift();
  if (waiter) waiter.resolve(performance.now() - waiter.sentAt);
}

function listen(peer: Peer): void {
  peer.socket.onPacket(() => packetsHeard++);
  peer.socket.on('call:incoming', () => deliver(peer, 'call:incoming'));
  peer.socket.on('call:accepted', () => deliver(peer, 'call:accepted'));
  peer.socket.on('call:ended', () => deliver(peer, 'call:ended'));
  peer.socket.on('presence', () => presenceHeard++);
  peer.socket.on('signal', (payload: SignalRelayed) =>
    deliver(peer, payload.description ? `signal:${payload.description.type}` : 'signal:candidate'),
  );
  peer.socket.onDisconnect((reason) => {
    for (const queue of peer.inbox.values()) queue.length = 0;
    send({ type: 'error', message: `socket of ${peer.user.id} disconnected: ${reason}` });
  });
}

function ackOf<T extends object>(emit: (ack: (res: Ack<T>) => void) => void): Promise<Ack<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new StepFailure('timeout:ack')), MESSAGE_TIMEOUT_MS);
    emit((res) => {
      clearTimeout(timer);
      resolve(res);
    });
  });
}

function checked<T extends object>(res: Ack<T>): T {
  if (!res.ok) throw new StepFailure(`ack:${res.error.code}`);
  return res;
}

/** One complete call set-up; pushes each relayed message's latency into `latencies`. */
async function runCall(pair: Pair, candidates: number, latencies: number[]): Promise<void> {
  const { caller, callee, seed } = pair;
  const timed = async (receiver: Peer, key: string, emit: () => Promise<unknown>) => {
    const sentAt = performance.now();
    const delivered = expect(receiver, key, sentAt);
    await Promise.all([emit(), delivered.then((ms) => latencies.push(ms))]);
  };

  let callId = '';
  await timed(callee, 'call:incoming', async () => {
    const res = await ackOf<{ callId: string }>((ack) =>
      caller.socket.emit('call:invite', { to: callee.user.id }, ack),
    );
    callId = checked(res).callId;
    pair.callId = callId;
  });
  await timed(caller, 'call:accepted', async () =>
    checked(await ackOf((ack) => callee.socket.emit('call:accept', { callId }, ack))),
  );
  await timed(callee, 'signal:offer', async () =>
    checked(
      await ackOf((ack) =>
        caller.socket.emit(
          'signal',
          { callId, description: sessionDescription('offer', seed) },
          ack,
        ),
      ),
    ),
  );
  await timed(caller, 'signal:answer', async () =>
    checked(
      await ackOf((ack) =>
        callee.socket.emit(
          'signal',
          { callId, description: sessionDescription('answer', seed + 1) },
          ack,
        ),
      ),
    ),
  );
  // Both sides trickle their candidates at once, as browsers do.
  const trickles: Promise<void>[] = [];
  for (let i = 0; i < candidates; i++) {
    const [from, to] = i % 2 === 0 ? [caller, callee] : [callee, caller];
    trickles.push(
      timed(to, 'signal:candidate', async () =>
        checked(
          await ackOf((ack) =>
            from.socket.emit('signal', { callId, candidate: iceCandidate(i, seed) }, ack),
          ),
        ),
      ),
    );
  }
  await Promise.all(trickles);
  await timed(callee, 'call:ended', async () =>
    checked(await ackOf((ack) => caller.socket.emit('call:hangup', { callId }, ack))),
  );
  pair.callId = null;
}

/**
 * Subscribes each listed user's socket to its contacts, as a page showing them does, with
 * at most {@link WATCH_CONCURRENCY} subscriptions in flight: 5,000 pages do not open in
 * the same millisecond, and 5,000 at once make the gateway's Redis reads time out
 * (`unavailable`, as it should under such a burst).
 */
async function watch(lists: Record<string, string[]>): Promise<number> {
  let subscriptions = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < peers.length) {
      const peer = peers[next++]!;
      const ids = lists[peer.user.id] ?? [];
      for (let i = 0; i < ids.length; i += PRESENCE_SUBSCRIBE_MAX_IDS) {
        const userIds = ids.slice(i, i + PRESENCE_SUBSCRIBE_MAX_IDS);
        checked(
          await ackOf<{ online: string[] }>((ack) =>
            peer.socket.emit('presence:subscribe', { userIds }, ack),
          ),
        );
        subscriptions += userIds.length;
      }
    }
  };
  await Promise.all(Array.from({ length: WATCH_CONCURRENCY }, worker));
  return subscriptions;
}

async function runStep(
  rate: number,
  seconds: number,
  candidates: number,
): Promise<{ result: StepResult; sample: number[] }> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let attempted = 0;
  let completed = 0;
  let backlogged = 0;
  const inFlight = new Set<Promise<void>>();
  const cpuStart = process.cpuUsage();
  const packetsBefore = packetsHeard;
  const started = performance.now();
  const total = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;

  for (let i = 0; i < total; i++) {
    // Open loop: the i-th call starts at started + i × interval, whatever happened before.
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    attempted++;
    const pair = freePairs.shift();
    if (!pair) {
      backlogged++;
      continue;
    }
    const call = runCall(pair, candidates, latencies)
      .then(() => {
        completed++;
        freePairs.push(pair);
      })
      .catch((error: unknown) => {
        const kind = error instanceof StepFailure ? error.message : `exception:${String(error)}`;
        errors[kind] = (errors[kind] ?? 0) + 1;
        // A pair whose call failed half-way may still be in a call on the server: hang
        // up (best effort), forget stale expectations, and only then reuse it.
        pair.caller.inbox.clear();
        pair.callee.inbox.clear();
        if (pair.callId === null) {
          freePairs.push(pair);
          return;
        }
        const callId = pair.callId;
        pair.callId = null;
        // Free again on the hang-up's ack, or after the message timeout without one.
        let freed = false;
        const free = () => {
          if (freed) return;
          freed = true;
          clearTimeout(timer);
          freePairs.push(pair);
        };
        const timer = setTimeout(free, MESSAGE_TIMEOUT_MS);
        pair.caller.socket.emit('call:hangup', { callId }, free);
      });
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
  }
  // Drain: calls already started finish or time out (bounded by the message timeouts).
  await Promise.allSettled([...inFlight]);
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const result: StepResult = {
    rate,
    seconds,
    attempted,
    completed,
    backlogged,
    errors,
    latency: summarize(latencies),
    achievedRate: completed / elapsed,
    generatorCpu: (cpu.user + cpu.system) / 1e6 / elapsed,
    packetsReceived: packetsHeard - packetsBefore,
  };
  return { result, sample: latencies };
}

process.on('message', (command: LoadgenCommand) => {
  void (async () => {
    try {
      if (command.type === 'connect') {
        const t0 = performance.now();
        const sockets =
          command.client === 'wire'
            ? await connectAll(command.urls, command.users, command.addresses, (url, user, from) =>
                WireClient.connect(url, user, from),
              )
            : (await connectAll(command.urls, command.users, command.addresses, connectClient)).map(
                socketIoLoadSocket,
              );
        const added = sockets.map((socket, i) => ({
          user: command.users[i]!,
          socket,
          inbox: new Map(),
        }));
        added.forEach(listen);
        for (let i = 0; i + 1 < added.length; i += 2) {
          freePairs.push({
            caller: added[i]!,
            callee: added[i + 1]!,
            seed: peers.length + i,
            callId: null,
          });
        }
        peers.push(...added);
        send({ type: 'connected', count: peers.length, milliseconds: performance.now() - t0 });
      } else if (command.type === 'disconnect') {
        const count = peers.length;
        for (const peer of peers) {
          peer.socket.onDisconnect(null);
          peer.socket.close();
        }
        peers = [];
        freePairs = [];
        send({ type: 'disconnected', count });
      } else if (command.type === 'watch') {
        send({ type: 'watching', subscriptions: await watch(command.watch) });
      } else if (command.type === 'presence-count') {
        send({ type: 'presence-count', heard: presenceHeard });
      } else if (command.type === 'step') {
        const { result, sample } = await runStep(
          command.rate,
          command.seconds,
          command.candidatesPerCall,
        );
        send({ type: 'step-result', result, sample });
      } else {
        for (const peer of peers) peer.socket.close();
        process.exit(0);
      }
    } catch (error) {
      send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  })();
});
