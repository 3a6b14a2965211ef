import { Injectable, signal } from '@angular/core';

const RELAY_ONLY_KEY = 'callgate.relayOnly';

/** Per-browser preferences, kept in localStorage. */
@Injectable({ providedIn: 'root' })
export class SettingsService {
  private readonly relayOnlySignal = signal(this.read(RELAY_ONLY_KEY) === 'true');
  /** Force TURN: the next call uses `iceTransportPolicy: 'relay'`. */
  readonly relayOnly = this.relayOnlySignal.asReadonly();

  constructor() {
    // `?relay=1` (or `?relay=0`) in the address sets the switch, e.g. for a support link.
    const relay = new URLSearchParams(window.location.search).get('relay');
    if (relay === '1' || relay === 'true') this.setRelayOnly(true);
    else if (relay === '0' || relay === 'false') this.setRelayOnly(false);
  }

  setRelayOnly(value: boolean): void {
    this.relayOnlySignal.set(value);
    this.write(RELAY_ONLY_KEY, String(value));
  }

  private read(key: string): string | null {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null; // Storage disabled: settings last for this page only.
    }
  }

  private write(key: string, value: string): void {
    try {
      window.localStorage.setItem(key, value);
    } catch {
      // Storage disabled or full: the in-memory value still applies.
    }
  }
}
