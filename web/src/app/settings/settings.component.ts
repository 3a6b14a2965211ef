import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';

import { AccountSettingsComponent } from './account-settings.component';
import { SettingsService } from './settings.service';

/** Per-browser settings (relay only, notifications) and the account (password, sessions). */
@Component({
  selector: 'cg-settings',
  imports: [RouterLink, AccountSettingsComponent],
  template: `
    <h1>Settings</h1>
    <section class="setting">
      <label class="switch">
        <input
          type="checkbox"
          role="switch"
          [checked]="settings.relayOnly()"
          (change)="settings.setRelayOnly(relay.checked)"
          #relay
          aria-describedby="relay-help"
        />
        <span>Relay only (force TURN)</span>
      </label>
      <p id="relay-help" class="help">
        The next call sends all media through our TURN relay, never directly. Use it to test the
        relay, or to keep your address private from the other person. Adding
        <code>?relay=1</code> to the address turns it on as well. Currently
        <strong data-testid="relay-state">{{ settings.relayOnly() ? 'on' : 'off' }}</strong>.
      </p>
    </section>
    <section class="setting">
      <h2>Notifications</h2>
      <p class="help">Get a notification for incoming calls while this tab is in the background.</p>
      @if (permission() === 'granted') {
        <p>Notifications are on.</p>
      } @else if (permission() === 'denied') {
        <p>Notifications are blocked in this browser’s site settings.</p>
      } @else if (permission() === 'unsupported') {
        <p>This browser does not support notifications.</p>
      } @else {
        <button type="button" (click)="allowNotifications()">Allow notifications</button>
      }
    </section>
    <cg-account-settings />
    <p><a routerLink="/diagnostics">Check how this network reaches our relay</a></p>
  `,
  styles: `
    .setting {
      padding: 1rem 0;
      border-bottom: 1px solid var(--border);
    }
    .switch {
      display: inline-flex;
      align-items: center;
      gap: 0.6rem;
      font-weight: 600;
      cursor: pointer;
    }
    .switch input {
      appearance: none;
      position: relative;
      flex: none;
      width: 2.75rem;
      height: 1.5rem;
      min-height: 0;
      padding: 0;
      margin: 0;
      border: none;
      border-radius: 999px;
      background: var(--border);
      cursor: pointer;
      transition: background 0.15s;
    }
    .switch input::before {
      content: '';
      position: absolute;
      top: 0.15rem;
      left: 0.15rem;
      width: 1.2rem;
      height: 1.2rem;
      border-radius: 50%;
      background: #fff;
      box-shadow: 0 1px 2px rgb(0 0 0 / 0.3);
      transition: transform 0.15s;
    }
    .switch input:checked {
      background: var(--accent);
    }
    .switch input:checked::before {
      transform: translateX(1.25rem);
    }
    code {
      white-space: nowrap;
    }
    .help {
      color: var(--muted);
      max-width: 40rem;
    }
    h2 {
      font-size: 1.1rem;
      margin: 0 0 0.25rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SettingsComponent {
  protected readonly settings = inject(SettingsService);
  protected readonly permission = signal<NotificationPermission | 'unsupported'>(
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );

  protected allowNotifications(): void {
    if (typeof Notification === 'undefined') return;
    Notification.requestPermission()
      .then((p) => this.permission.set(p))
      .catch(() => this.permission.set('denied'));
  }
}
