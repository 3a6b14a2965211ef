import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { Router } from '@angular/router';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@callgate/protocol';
import { Subject, catchError, exhaustMap, map, of } from 'rxjs';

import { AuthService } from '../auth/auth.service';
import { CallService } from '../call/call.service';
import { toCallgateError } from '../shared/api-error';

/** The account part of Settings: change the password, sign out everywhere. */
@Component({
  selector: 'cg-account-settings',
  imports: [ReactiveFormsModule],
  template: `
    <section class="setting" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <form [formGroup]="form" (ngSubmit)="changePassword()" novalidate>
        <div class="field">
          <label for="current-password">Current password</label>
          <input
            id="current-password"
            type="password"
            formControlName="currentPassword"
            autocomplete="current-password"
          />
        </div>
        <div class="field">
          <label for="new-password">New password</label>
          <input
            id="new-password"
            type="password"
            formControlName="newPassword"
            autocomplete="new-password"
            aria-describedby="new-password-hint"
          />
          <p id="new-password-hint" class="help">
            At least {{ minPassword }} characters. Every other device is signed out.
          </p>
        </div>
        <button type="submit" [disabled]="busy()">Change password</button>
      </form>
      @if (passwordMessage(); as message) {
        <p [attr.role]="passwordOk() ? 'status' : 'alert'" [class.form-error]="!passwordOk()">
          {{ message }}
        </p>
      }
    </section>
    <section class="setting" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      <p class="help">Sign out on every device and browser, this one included.</p>
      <button type="button" class="danger" [disabled]="busy()" (click)="signOutEverywhere()">
        Sign out everywhere
      </button>
      @if (sessionsError(); as message) {
        <p class="form-error" role="alert">{{ message }}</p>
      }
    </section>
  `,
  styles: `
    .setting {
      padding: 1rem 0;
      border-bottom: 1px solid var(--border);
    }
    .field {
      display: flex;
      flex-direction: column;
      gap: 0.35rem;
      margin-bottom: 0.75rem;
      max-width: 24rem;
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
export class AccountSettingsComponent {
  private readonly auth = inject(AuthService);
  private readonly calls = inject(CallService);
  private readonly router = inject(Router);
  private readonly submissions = new Subject<{ currentPassword: string; newPassword: string }>();
  protected readonly minPassword = PASSWORD_MIN_LENGTH;
  protected readonly form = inject(FormBuilder).nonNullable.group({
    currentPassword: ['', [Validators.required]],
    newPassword: ['', [Validators.required, Validators.maxLength(PASSWORD_MAX_LENGTH)]],
  });
  protected readonly busy = signal(false);
  protected readonly passwordMessage = signal<string | null>(null);
  protected readonly passwordOk = signal(false);
  protected readonly sessionsError = signal<string | null>(null);

  constructor() {
    this.submissions
      .pipe(
        exhaustMap((request) => {
          this.busy.set(true);
          return this.auth.changePassword(request).pipe(
            map(() => null),
            catchError((error: unknown) => of(toCallgateError(error).message)),
          );
        }),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe((failure) => {
        this.busy.set(false);
        this.passwordOk.set(failure === null);
        this.passwordMessage.set(
          failure ?? 'Password changed. Your other devices were signed out.',
        );
        if (failure === null) this.form.reset();
      });
  }

  protected changePassword(): void {
    const { currentPassword, newPassword } = this.form.getRawValue();
    this.passwordOk.set(false);
    if (currentPassword === '') {
      this.passwordMessage.set('Enter your current password.');
      return;
    }
    if (newPassword.length < PASSWORD_MIN_LENGTH || newPassword.length > PASSWORD_MAX_LENGTH) {
      this.passwordMessage.set(
        `Choose a new password of ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters.`,
      );
      return;
    }
    this.submissions.next({ currentPassword, newPassword });
  }

  protected signOutEverywhere(): void {
    this.sessionsError.set(null);
    this.busy.set(true);
    this.calls.hangup();
    this.auth.logoutEverywhere().subscribe({
      next: () => void this.router.navigateByUrl('/login'),
      error: (error: unknown) => {
        this.busy.set(false);
        this.sessionsError.set(toCallgateError(error).message);
      },
    });
  }
}
