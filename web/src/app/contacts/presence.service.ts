import { Injectable, inject, signal } from '@angular/core';

import { SignalingClient } from '../signaling/signaling-client';

/** Who is online, live from the socket: a snapshot on (re)connect, then changes. */
@Injectable({ providedIn: 'root' })
export class PresenceService {
  private readonly online = signal<ReadonlySet<string> | null>(null);
  /** Online user ids; `null` until the first snapshot arrived. */
  readonly onlineIds = this.online.asReadonly();

  constructor() {
    const signaling = inject(SignalingClient);
    signaling.on('presence:snapshot').subscribe((s) => this.online.set(new Set(s.online)));
    signaling.on('presence').subscribe((change) =>
      this.online.update((current) => {
        const next = new Set(current ?? []);
        if (change.online) next.add(change.userId);
        else next.delete(change.userId);
        return next;
      }),
    );
  }

  /** Live presence when known, else what the server said when the list was loaded. */
  isOnline(userId: string, fallback: boolean): boolean {
    const ids = this.online();
    return ids === null ? fallback : ids.has(userId);
  }

  clear(): void {
    this.online.set(null);
  }
}
