import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  untracked,
} from '@angular/core';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { distinctUntilChanged, filter, map } from 'rxjs';

import { AuthService } from './auth/auth.service';
import { endSentence } from './call/call-sentences';
import { CallService } from './call/call.service';
import { IncomingCallDialogComponent } from './call/incoming-call-dialog.component';
import { MediaDevicesService } from './call/media-devices.service';
import { SinkIdDirective } from './shared/sink-id.directive';
import { SrcObjectDirective } from './shared/src-object.directive';
import { PresenceService } from './contacts/presence.service';
import { SignalingClient } from './signaling/signaling-client';

/** The shell: navigation, connection state, the incoming-call dialog and call outcomes. */
@Component({
  selector: 'cg-root',
  imports: [
    RouterOutlet,
    RouterLink,
    RouterLinkActive,
    IncomingCallDialogComponent,
    SrcObjectDirective,
    SinkIdDirective,
  ],
  templateUrl: './app.component.html',
  styleUrl: './app.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AppComponent {
  protected readonly auth = inject(AuthService);
  protected readonly signaling = inject(SignalingClient);
  protected readonly calls = inject(CallService);
  protected readonly devices = inject(MediaDevicesService);
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
  /** A call is live but its screen is not shown: offer the way back. */
  protected readonly callAway = computed(() => {
    const name = this.calls.state().name;
    const live =
      name === 'outgoing' ||
      name === 'connecting' ||
      name === 'connected' ||
      name === 'reconnecting';
    return live && !this.url().startsWith('/call');
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
        // The server ended the session (signed out elsewhere, disabled): the sign-in page
        // says why; a call in progress ends here too.
        if (this.auth.endedReason() !== null) {
          untracked(() => this.calls.hangup());
          void this.router.navigateByUrl('/login');
        }
      }
    });
    // A call that starts (placed or accepted) opens the call screen; people may still
    // leave it mid-call (the audio plays from the shell) and come back.
    this.calls.state$
      .pipe(
        map((s) => s.name),
        distinctUntilChanged(),
        filter((name) => name === 'outgoing' || name === 'connecting'),
        takeUntilDestroyed(),
      )
      .subscribe(() => {
        if (!this.url().startsWith('/call')) void this.router.navigateByUrl('/call');
      });
  }

  protected rejoin(): void {
    void this.calls.rejoin();
  }

  protected signOut(): void {
    this.calls.hangup();
    this.auth.logout().subscribe(() => void this.router.navigateByUrl('/login'));
  }
}
