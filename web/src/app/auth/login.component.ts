import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { ActivatedRoute, Router } from '@angular/router';
import {
  INVITE_QUERY_PARAM,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  USERNAME_MAX_LENGTH,
  USERNAME_PATTERN,
} from '@callgate/protocol';
import { toSignal } from '@angular/core/rxjs-interop';
import { Subject, catchError, exhaustMap, map, of } from 'rxjs';

import { toCallgateError } from '../shared/api-error';
import { AuthService } from './auth.service';

type Mode = 'sign-in' | 'sign-up';

interface Submission {
  mode: Mode;
  username: string;
  password: string;
}

/** Sign in and sign up on one form: Enter signs in, the second button creates the account. */
@Component({
  selector: 'cg-login',
  imports: [ReactiveFormsModule],
  templateUrl: './login.component.html',
  styleUrl: './login.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LoginComponent {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly submissions = new Subject<Submission>();

  protected readonly minPassword = PASSWORD_MIN_LENGTH;
  /** The token of the invite link this page was opened with (`/signup?invite=…`). */
  protected readonly invite = this.route.snapshot.queryParamMap.get(INVITE_QUERY_PARAM);
  protected readonly endedReason = this.auth.endedReason;
  /** Sign-up mode from the gateway; undefined while loading or when it cannot be read. */
  protected readonly registration = toSignal(
    this.auth.registrationInfo().pipe(catchError(() => of(undefined))),
  );
  protected readonly form = inject(FormBuilder).nonNullable.group({
    username: ['', [Validators.required, Validators.pattern(USERNAME_PATTERN)]],
    password: ['', [Validators.required, Validators.maxLength(PASSWORD_MAX_LENGTH)]],
  });
  protected readonly busy = signal<Mode | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly usernameError = signal<string | null>(null);
  protected readonly passwordError = signal<string | null>(null);

  constructor() {
    this.submissions
      .pipe(
        // A second click while a request is in flight is ignored, not queued.
        exhaustMap((s) => {
          this.busy.set(s.mode);
          const request = { username: s.username, password: s.password };
          const call =
            s.mode === 'sign-in'
              ? this.auth.login(request)
              : this.auth.register(
                  this.invite === null ? request : { ...request, invite: this.invite },
                );
          return call.pipe(
            map(() => null),
            catchError((error: unknown) => of(toCallgateError(error).message)),
          );
        }),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe((failure) => {
        this.busy.set(null);
        if (failure !== null) {
          this.error.set(failure);
          return;
        }
        const returnUrl = this.route.snapshot.queryParamMap.get('returnUrl');
        const target =
          returnUrl?.startsWith('/') && !returnUrl.startsWith('//') ? returnUrl : '/contacts';
        void this.router.navigateByUrl(target);
      });
  }

  protected submit(mode: Mode): void {
    this.error.set(null);
    const { username, password } = this.form.getRawValue();
    const name = username.trim().toLowerCase();
    this.usernameError.set(this.validateUsername(name));
    this.passwordError.set(this.validatePassword(password, mode));
    if (this.usernameError() || this.passwordError()) return;
    this.submissions.next({ mode, username: name, password });
  }

  private validateUsername(name: string): string | null {
    if (name === '') return 'Enter your username.';
    if (!USERNAME_PATTERN.test(name)) {
      return `Usernames are 3–${USERNAME_MAX_LENGTH} characters: lowercase letters, digits, dot, dash or underscore.`;
    }
    return null;
  }

  private validatePassword(password: string, mode: Mode): string | null {
    if (password === '') return 'Enter your password.';
    if (password.length > PASSWORD_MAX_LENGTH)
      return `Passwords are at most ${PASSWORD_MAX_LENGTH} characters.`;
    if (mode === 'sign-up' && password.length < PASSWORD_MIN_LENGTH) {
      return `Choose a password of at least ${PASSWORD_MIN_LENGTH} characters.`;
    }
    return null;
  }
}
