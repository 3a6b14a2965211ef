import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Subject } from 'rxjs';
import type { UserSummary } from '@callgate/protocol';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import {
  REDIS_CLIENT,
  type RedisClient,
  redisKey,
  withinCommandTimeout as timed,
} from '../redis/redis.client';
import type { RedisScript, ScriptReply } from '../redis/redis-script';
import { CONNECT, DISCONNECT, HEARTBEAT, REAP, SOCKET_LIVE } from './presence.lua';

/** How often a replica says it is alive. */
export const HEARTBEAT_INTERVAL_MS = 1000;
/**
 * A replica silent for this long is dead: its sockets are removed and their users go
 * offline (unless they have a socket elsewhere). The presence bound: a user of a crashed
 * replica shows online for at most this + one heartbeat interval.
 */
export const REPLICA_DEAD_AFTER_MS = 3000;

/** A socket of a dead replica, removed from presence by this replica. */
export interface ReapedSocket {
  userId: string;
  socketId: string;
  /** Sockets that user still has (on live replicas). */
  socketsLeft: number;
  /** The user's most recently connected remaining socket, if any. */
  newestSocketId: string | undefined;
}

const PREFIX = redisKey('');

/**
 * Who is connected, across every replica, kept in Redis (layout in presence.lua.ts).
 * The user summary is stored at connect (the only time signaling reads the database), so
 * an invite on any replica finds the callee without a query.
 */
@Injectable()
export class PresenceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PresenceService.name);
  /** Sockets of replicas found dead; the signaling gateway ends what they carried. */
  readonly reaped$ = new Subject<ReapedSocket[]>();
  private heartbeat: NodeJS.Timeout | undefined;
  /** Since when every heartbeat succeeded; null while Redis fails. */
  private healthySince: number | null = null;
  private readonly replicaId: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.replicaId = config.redis.replicaId;
  }

  onApplicationBootstrap(): void {
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
    void this.beat();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    // Sockets were closed (and deregistered) before this; a leftover entry is reaped.
    await this.redis.zRem(redisKey('replicas'), this.replicaId).catch(() => undefined);
  }

  /** Records a socket; true when this made the user come online. */
  async connect(summary: UserSummary, socketId: string): Promise<boolean> {
    const count = await this.run(
      CONNECT,
      summary.id,
      socketId,
      this.replicaId,
      JSON.stringify(summary),
    );
    return count === 1;
  }

  /** Forgets a socket; returns how many the user has left (0: went offline). */
  async disconnect(userId: string, socketId: string): Promise<number> {
    const left = Number(await this.run(DISCONNECT, userId, socketId, this.replicaId));
    return Math.max(0, left);
  }

  async isOnline(userId: string): Promise<boolean> {
    return (await timed(this.redis.exists(redisKey('sockets', userId)))) === 1;
  }

  /** The ids among `userIds` that are online (one round trip). */
  async onlineAmong(userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const multi = this.redis.multi();
    for (const id of userIds) multi.exists(redisKey('sockets', id));
    const replies = await timed(multi.execAsPipeline());
    return userIds.filter((_, i) => Number(replies[i]) === 1);
  }

  async summary(userId: string): Promise<UserSummary | undefined> {
    const raw = await timed(this.redis.get(redisKey('summary', userId)));
    return raw === null ? undefined : (JSON.parse(raw) as UserSummary);
  }

  async socketIds(userId: string): Promise<string[]> {
    return timed(this.redis.hKeys(redisKey('sockets', userId)));
  }

  /**
   * True when `userId` has sockets and every one is on this replica. Read right after a
   * transition (an invite's create, a call's end), it sees every socket registered before
   * that transition: a registration's invalidation of the cached hash reaches this
   * connection before the transition's reply does. A socket registered after it finds the
   * call (or its end) itself when it connects.
   */
  async onlyHere(userId: string): Promise<boolean> {
    const sockets = await timed(this.redis.hVals(redisKey('sockets', userId)));
    const mine = `${this.replicaId}|`;
    return sockets.length > 0 && sockets.every((entry) => entry.startsWith(mine));
  }

  /** Open sockets of `userId` on every replica (for a per-account cap). */
  connectionCount(userId: string): Promise<number> {
    return timed(this.redis.hLen(redisKey('sockets', userId)));
  }

  /** The most recently connected socket `userId` has, on any replica. */
  async newestSocket(userId: string): Promise<string | undefined> {
    const sockets = await timed(this.redis.hGetAll(redisKey('sockets', userId)));
    let newest: string | undefined;
    let newestAt = -1;
    for (const [socketId, entry] of Object.entries(sockets)) {
      const at = Number(/\|(\d+)$/.exec(entry)?.[1] ?? 0);
      if (at > newestAt) [newest, newestAt] = [socketId, at];
    }
    return newest;
  }

  /** True while `socketId` of `userId` is registered (its close removes it at once). */
  async hasSocket(userId: string, socketId: string): Promise<boolean> {
    return (await timed(this.redis.hExists(redisKey('sockets', userId), socketId))) === 1;
  }

  /** True when `socketId` of `userId` is registered on a replica that is alive. */
  async isSocketLive(userId: string, socketId: string): Promise<boolean> {
    return (await this.run(SOCKET_LIVE, userId, socketId, REPLICA_DEAD_AFTER_MS)) === 1;
  }

  /** One heartbeat; then reaps replicas that went silent, if this one can be trusted. */
  private async beat(): Promise<void> {
    let dead: ScriptReply;
    try {
      dead = await this.run(HEARTBEAT, this.replicaId, REPLICA_DEAD_AFTER_MS);
    } catch (error) {
      if (this.healthySince !== null)
        this.logger.warn(`Presence heartbeat failed: ${(error as Error).message}`);
      this.healthySince = null;
      return;
    }
    const now = Date.now();
    this.healthySince ??= now;
    // After a Redis outage every replica's last beat is old. Only a replica that has
    // been beating for a full bound knows the others had the same chance to beat again.
    if (now - this.healthySince < REPLICA_DEAD_AFTER_MS + HEARTBEAT_INTERVAL_MS) return;
    if (!Array.isArray(dead)) return;
    for (const replica of dead) {
      if (typeof replica === 'string') await this.reap(replica);
    }
  }

  private async reap(replica: string): Promise<void> {
    try {
      const flat = await this.run(REAP, replica);
      if (!Array.isArray(flat) || flat.length === 0) return;
      const sockets: ReapedSocket[] = [];
      for (let i = 0; i + 3 < flat.length; i += 4) {
        sockets.push({
          userId: String(flat[i]),
          socketId: String(flat[i + 1]),
          socketsLeft: Number(flat[i + 2]),
          newestSocketId: flat[i + 3] === '' ? undefined : String(flat[i + 3]),
        });
      }
      this.logger.warn(`Replica ${replica} stopped heartbeating: ${sockets.length} sockets reaped`);
      this.reaped$.next(sockets);
    } catch (error) {
      this.logger.warn(`Reaping replica ${replica} failed: ${(error as Error).message}`);
    }
  }

  private run(script: RedisScript, ...args: (string | number)[]): Promise<ScriptReply> {
    return script.run(this.redis, [], [PREFIX, ...args]);
  }
}
