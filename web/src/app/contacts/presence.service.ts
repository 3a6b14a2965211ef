import { Injectable, inject, signal } from '@angular/core';
import { PRESENCE_SUBSCRIBE_MAX_IDS } from '@callgate/protocol';
import { filter } from 'rxjs';

import { SignalingClient } from '../signaling/signaling-client';

/**
 * Presence of the people the page shows, live from the socket. The page says whom it
 * shows ({@link watch}); the server then sends `presence` for those people only (never the
 * whole organisation), and their state is asked for again after every reconnect.
 */
@Injectable({ providedIn: 'root' })
export class PresenceService {
  private readonly signaling = inject(SignalingClient);
  private readonly online = signal<ReadonlySet<string>>(new Set());
  /** Ids whose live state the server has told us (subscribed and answered). */
  private readonly known = signal<ReadonlySet<string>>(new Set());
  private watched = new Set<string>();
  /** Online user ids among the watched ones. */
  readonly onlineIds = this.online.asReadonly();

  constructor() {
    this.signaling.on('presence').subscribe((change) => {
      if (!this.watched.has(change.userId)) return;
      this.setOnline([change.userId], change.online);
    });
    // A new socket has no subscriptions: ask again for everyone the page shows.
    this.signaling.state$
      .pipe(filter((state) => state === 'online'))
      .subscribe(() => void this.subscribe([...this.watched]));
  }

  /** The people the page shows now; replaces the previous set. */
  watch(userIds: readonly string[]): void {
    const next = new Set(userIds);
    const added = [...next].filter((id) => !this.watched.has(id));
    const removed = [...this.watched].filter((id) => !next.has(id));
    this.watched = next;
    if (removed.length > 0) {
      this.forget(removed);
      for (const chunk of chunks(removed)) {
        this.signaling.request('presence:unsubscribe', { userIds: chunk }).catch(() => undefined);
      }
    }
    if (added.length > 0 && this.signaling.currentState === 'online') void this.subscribe(added);
  }

  /** Live presence when known, else what the server said when the list was loaded. */
  isOnline(userId: string, fallback: boolean): boolean {
    return this.known().has(userId) ? this.online().has(userId) : fallback;
  }

  clear(): void {
    this.watched = new Set();
    this.online.set(new Set());
    this.known.set(new Set());
  }

  private async subscribe(userIds: string[]): Promise<void> {
    for (const chunk of chunks(userIds)) {
      const ack = await this.signaling
        .request('presence:subscribe', { userIds: chunk })
        .catch(() => null);
      if (!ack?.ok) continue;
      // Only ids still watched: the page may have moved on while the ack was in flight.
      const still = chunk.filter((id) => this.watched.has(id));
      const on = new Set(ack.online);
      this.known.update((known) => new Set([...known, ...still]));
      this.setOnline(
        still.filter((id) => on.has(id)),
        true,
      );
      this.setOnline(
        still.filter((id) => !on.has(id)),
        false,
      );
    }
  }

  private setOnline(userIds: readonly string[], online: boolean): void {
    if (userIds.length === 0) return;
    this.online.update((current) => {
      const next = new Set(current);
      for (const id of userIds) {
        if (online) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }

  private forget(userIds: readonly string[]): void {
    const gone = new Set(userIds);
    this.known.update((known) => new Set([...known].filter((id) => !gone.has(id))));
    this.online.update((online) => new Set([...online].filter((id) => !gone.has(id))));
  }
}

function chunks(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += PRESENCE_SUBSCRIBE_MAX_IDS)
    out.push(ids.slice(i, i + PRESENCE_SUBSCRIBE_MAX_IDS));
  return out;
}
