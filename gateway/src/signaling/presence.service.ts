import { Injectable } from '@nestjs/common';
import type { UserSummary } from '@callgate/protocol';

interface OnlineUser {
  summary: UserSummary;
  socketIds: Set<string>;
}

/**
 * Who is connected, kept in memory: filled at socket connect (the only time the
 * signaling path reads the database), so messages never need a query.
 */
@Injectable()
export class PresenceService {
  private readonly users = new Map<string, OnlineUser>();

  /** Records a socket; returns true when this made the user come online. */
  connect(summary: UserSummary, socketId: string): boolean {
    const existing = this.users.get(summary.id);
    if (existing !== undefined) {
      existing.summary = summary;
      existing.socketIds.add(socketId);
      return false;
    }
    this.users.set(summary.id, { summary, socketIds: new Set([socketId]) });
    return true;
  }

  /** Forgets a socket; returns true when the user has no socket left (went offline). */
  disconnect(userId: string, socketId: string): boolean {
    const user = this.users.get(userId);
    if (user === undefined) return false;
    user.socketIds.delete(socketId);
    if (user.socketIds.size > 0) return false;
    this.users.delete(userId);
    return true;
  }

  isOnline(userId: string): boolean {
    return this.users.has(userId);
  }

  summary(userId: string): UserSummary | undefined {
    return this.users.get(userId)?.summary;
  }

  socketIds(userId: string): string[] {
    return [...(this.users.get(userId)?.socketIds ?? [])];
  }

  onlineUserIds(): string[] {
    return [...this.users.keys()];
  }
}
