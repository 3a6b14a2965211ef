import { connectClient, sourceAddresses, type SignalingClient } from '../lib/clients.ts';
import type { GatewayServer } from '../lib/gateway.ts';
import type { BenchmarkContext } from '../lib/result.ts';
import { sleep } from '../lib/time.ts';
import { LoadGenerator } from '../signaling/loadgen-client.ts';

/** Section 3's presence fan-out: what one more connect costs with `online` people online. */
export interface PresenceFanout {
  online: number;
  /** Contacts each person watches (and is watched by). */
  contacts: number;
  /** `presence` events the online sockets heard because the newcomer connected. */
  heardByOthers: number;
  /** Messages the newcomer's own socket got: its subscribe ack plus any `presence`. */
  toNewcomer: number;
  connectSeconds: number;
}

/** How long after the newcomer's connect the bench keeps counting deliveries. */
const SETTLE_MS = 2_000;

/**
 * Connects `online` sockets (one account each) that watch `contacts` people each, as a
 * page showing recent calls and search results does (a symmetric ring: person i watches
 * i±1…i±contacts/2), then one more person whose contacts are persons 0…contacts-1 (who
 * watch them back), and counts every message the connect caused, at the receivers.
 */
export async function presenceFanout(
  context: BenchmarkContext,
  server: GatewayServer,
  cpus: string,
  online: number,
  contacts: number,
): Promise<PresenceFanout> {
  const accounts = await server.users(online + 1);
  const newcomer = accounts[online]!;
  const others = accounts.slice(0, online);
  const half = contacts / 2;
  const lists: Record<string, string[]> = {};
  others.forEach((account, i) => {
    const ids: string[] = [];
    for (let d = 1; d <= half; d++) {
      ids.push(others[(i + d) % online]!.id, others[(i - d + online) % online]!.id);
    }
    if (i < contacts) ids.push(newcomer.id);
    lists[account.id] = ids;
  });
  const generator = await LoadGenerator.start(context.repoRoot, cpus);
  let socket: SignalingClient | undefined;
  try {
    const urls = server.replicas.map((r) => r.url);
    const connectMs = await generator.connect(urls, others, sourceAddresses(8));
    const subscriptions = await generator.watch(lists);
    context.log(
      `presence: ${online} sockets connected in ${(connectMs / 1000).toFixed(1)} s, ${subscriptions} subscriptions`,
    );
    await sleep(SETTLE_MS);
    const before = await generator.presenceHeard();
    socket = await connectClient(urls[0]!, newcomer, '127.0.0.10');
    let toNewcomer = 0;
    socket.on('presence', () => toNewcomer++);
    const mine = others.slice(0, contacts).map((a) => a.id);
    await new Promise<void>((resolve, reject) => {
      socket!.emit('presence:subscribe', { userIds: mine }, (ack) => {
        toNewcomer++;
        if (ack.ok) resolve();
        else reject(new Error(`newcomer's presence:subscribe refused: ${ack.error.message}`));
      });
    });
    await sleep(SETTLE_MS);
    const heardByOthers = (await generator.presenceHeard()) - before;
    context.log(
      `presence: one more connect → ${heardByOthers} presence events to others, ${toNewcomer} to the newcomer`,
    );
    return { online, contacts, heardByOthers, toNewcomer, connectSeconds: connectMs / 1000 };
  } finally {
    socket?.close();
    await generator.stop();
  }
}
