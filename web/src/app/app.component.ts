import { ChangeDetectionStrategy, Component, computed, effect, inject } from '@angular/core';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { toSignal } from '@angular/core/rxjs-interop';
import { filter, map } from 'rxjs';

import { AuthService } from './auth/auth.service';
import { endSentence } from './call/call-sentences';
import { CallService } from './call/call.service';
import { IncomingCallDialogComponent } from './call/incoming-call-dialog.component';
import { PresenceService } from './contacts/presence.service';
import { SignalingClient } from './signaling/signaling-client';

/** The shell: navigation, connection state, the incoming-call dialog and call outcomes. */
@Component({
  selector: 'cg-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, IncomingCallDialogComponent],
  templateUrl: './app.component.html',
  styleUrl: './app.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AppComponent {
  protected readonly auth = inject(AuthService);
  protected readonly signaling = inject(SignalingClient);
  protected readonly calls = inject(CallService);
  private readonly presence = inject(PresenceService);
  private readonly router = inject(Router);
  private readonly url = toSignal(
    this.router.events.pipe(
      filter((e) => e instanceof NavigationEnd),
      map((e) => e.urlAfterRedirects),
    ),
    { initialValue: this.router.url },
  );

  protected readonly connectionLabel = computed(() => {
    switch (this.signaling.state()) {
      case 'online':
        return 'Online';
      case 'connecting':
        return 'Connecting…';
      case 'reauthenticating':
        return 'Renewing session…';
      case 'offline':
        return 'Offline – reconnecting';
    }
  });
  protected readonly outcome = computed(() => {
    const s = this.calls.state();
    return s.name === 'ended' ? endSentence(s) : null;
  });

  constructor() {
    // The socket lives exactly as long as the session.
    effect(() => {
      if (this.auth.signedIn()) this.signaling.start();
      else {
        this.signaling.stop();
        this.presence.clear();
      }
    });
    // Any call in progress is shown on the call screen.
    effect(() => {
      const name = this.calls.state().name;
      const live =
        name === 'outgoing' ||
        name === 'connecting' ||
        name === 'connected' ||
        name === 'reconnecting';
      if (live && !this.url().startsWith('/call')) void this.router.navigateByUrl('/call');
    });
  }

  protected signOut(): void {
    this.calls.hangup();
    this.auth.logout().subscribe(() => void this.router.navigateByUrl('/login'));
  }
}
