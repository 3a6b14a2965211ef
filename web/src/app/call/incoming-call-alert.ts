import type { UserSummary } from '@callgate/protocol';

import { RingTone } from './ring-tone';

/** Rings, and shows a system notification when the tab is hidden, while a call is incoming. */
export class IncomingCallAlert {
  private readonly tone = new RingTone();
  private notification: Notification | null = null;
  private savedTitle: string | null = null;

  start(callId: string, caller: UserSummary): void {
    this.tone.start();
    // The tab title tells who is calling even when the tab is in the background.
    this.savedTitle ??= document.title;
    document.title = `Incoming call from ${caller.displayName || caller.username} · Callgate`;
    if (document.visibilityState !== 'hidden' || !notificationsGranted()) return;
    try {
      this.notification = new Notification('Incoming call', {
        body: `${caller.displayName || caller.username} is calling you on Callgate.`,
        tag: `callgate-${callId}`,
        requireInteraction: true,
      });
      this.notification.onclick = () => {
        window.focus();
        this.notification?.close();
      };
    } catch {
      // Some browsers only allow notifications from a service worker; the ring still plays.
    }
  }

  /** The call was answered: quiet at once, the ring's audio is released a moment later. */
  silence(): void {
    this.tone.silence();
    this.clear();
  }

  /** Stops everything now. */
  stop(): void {
    this.tone.stop();
    this.clear();
  }

  private clear(): void {
    if (this.savedTitle !== null) document.title = this.savedTitle;
    this.savedTitle = null;
    this.notification?.close();
    this.notification = null;
  }
}

function notificationsGranted(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted';
}

/** Asks once, from a user gesture, so incoming calls can notify while the tab is hidden. */
export function requestNotificationPermission(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  Notification.requestPermission().catch(() => undefined);
}
