const KEY = 'callgate.carriedCall';

/**
 * Which call this tab carries media for, in `sessionStorage`: it survives a reload of
 * this tab only (not other tabs, not a new window), so after a reload the tab that had
 * the call rejoins by itself while any other tab of the same person asks first.
 */
export class CarriedCall {
  constructor(private readonly storage: Storage | null = safeSessionStorage()) {}

  remember(callId: string | null, connectedAt: number): void {
    if (callId === null) return;
    this.write({ callId, connectedAt });
  }

  isCarrying(callId: string): boolean {
    return this.read()?.callId === callId;
  }

  /** When the call first connected, so the duration carries on across a reload. */
  connectedAt(callId: string | null): number | null {
    const carried = this.read();
    return carried !== null && carried.callId === callId ? carried.connectedAt : null;
  }

  forget(callId: string | null): void {
    if (callId !== null && this.isCarrying(callId)) this.storage?.removeItem(KEY);
  }

  private read(): { callId: string; connectedAt: number } | null {
    try {
      const value: unknown = JSON.parse(this.storage?.getItem(KEY) ?? 'null');
      if (typeof value !== 'object' || value === null) return null;
      const { callId, connectedAt } = value as Record<string, unknown>;
      return typeof callId === 'string' && typeof connectedAt === 'number'
        ? { callId, connectedAt }
        : null;
    } catch {
      return null;
    }
  }

  private write(value: { callId: string; connectedAt: number }): void {
    try {
      this.storage?.setItem(KEY, JSON.stringify(value));
    } catch {
      // Storage full or blocked: the tab will ask before rejoining instead.
    }
  }
}

function safeSessionStorage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}
