import { Subject } from 'rxjs';
import type { UserSummary } from '@callgate/protocol';
import type { PresenceService, ReapedSocket } from '../presence/presence.service';

/**
 * One process's presence without Redis, for Docker-free tests: the same answers as
 * {@link PresenceService} for a single replica (no heartbeats, nothing is ever reaped).
 */
export class InMemoryPresence implements Omit<
  PresenceService,
  'onApplicationBootstrap' | 'onApplicationShutdown'
> {
  readonly reaped$ = new Subject<ReapedSocket[]>();
  private readonly users = new Map<string, { summary: UserSummary; sockets: Set<string> }>();

  connect(summary: UserSummary, socketId: string): Promise<boolean> {
    const user = this.users.get(summary.id) ?? { summary, sockets: new Set<string>() };
    user.sockets.add(socketId);
    this.users.set(summary.id, user);
    return Promise.resolve(user.sockets.size === 1);
  }

  disconnect(userId: string, socketId: string): Promise<number> {
    const user = this.users.get(userId);
    if (user === undefined) return Promise.resolve(0);
    user.sockets.delete(socketId);
    if (user.sockets.size === 0) this.users.delete(userId);
    return Promise.resolve(user.sockets.size);
  }

  isOnline(userId: string): Promise<boolean> {
    return Promise.resolve(this.users.has(userId));
  }

  onlineAmong(userIds: readonly string[]): Promise<string[]> {
    return Promise.resolve(userIds.filter((id) => this.users.has(id)));
  }

  summary(userId: string): Promise<UserSummary | undefined> {
    return Promise.resolve(this.users.get(userId)?.summary);
  }

  socketIds(userId: string): Promise<string[]> {
    return Promise.resolve([...(this.users.get(userId)?.sockets ?? [])]);
  }

  /** One process: every socket is here. */
  onlyHere(userId: string): Promise<boolean> {
    return Promise.resolve(this.users.has(userId));
  }

  connectionCount(userId: string): Promise<number> {
    return Promise.resolve(this.users.get(userId)?.sockets.size ?? 0);
  }

  newestSocket(userId: string): Promise<string | undefined> {
    return Promise.resolve([...(this.users.get(userId)?.sockets ?? [])].at(-1));
  }

  hasSocket(userId: string, socketId: string): Promise<boolean> {
    return Promise.resolve(this.users.get(userId)?.sockets.has(socketId) ?? false);
  }

  isSocketLive(userId: string, socketId: string): Promise<boolean> {
    return Promise.resolve(this.users.get(userId)?.sockets.has(socketId) ?? false);
  }
}
