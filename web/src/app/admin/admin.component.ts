import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { DatePipe } from '@angular/common';
import type { AdminUser, Invite } from '@callgate/protocol';
import { type Observable, Subject, catchError, forkJoin, of, switchMap, tap } from 'rxjs';

import { AuthService } from '../auth/auth.service';
import { toCallgateError } from '../shared/api-error';
import { AdminService } from './admin.service';

/**
 * Admins only: people (last seen, disable/enable) and invite links (create, list, revoke).
 * Every change reloads both lists from the gateway, which is the authority.
 */
@Component({
  selector: 'cg-admin',
  imports: [DatePipe],
  templateUrl: './admin.component.html',
  styleUrl: './admin.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AdminComponent {
  private readonly admin = inject(AdminService);
  private readonly reloads = new Subject<void>();
  protected readonly me = inject(AuthService).user;
  protected readonly people = signal<AdminUser[]>([]);
  protected readonly invites = signal<Invite[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  /** The link of the invite just created: shown once, the gateway keeps only its hash. */
  protected readonly createdLink = signal<string | null>(null);
  protected readonly copied = signal(false);

  constructor() {
    this.reloads
      .pipe(
        switchMap(() =>
          forkJoin({ people: this.admin.people(), invites: this.admin.invites() }).pipe(
            catchError((error: unknown) => {
              this.error.set(toCallgateError(error).message);
              return of(null);
            }),
          ),
        ),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe((lists) => {
        if (lists === null) return;
        this.people.set(lists.people);
        this.invites.set(lists.invites);
      });
    this.reloads.next();
  }

  protected createInvite(note: string): void {
    const trimmed = note.trim();
    this.run(
      this.admin.createInvite(trimmed === '' ? {} : { note: trimmed }).pipe(
        tap((created) => {
          this.copied.set(false);
          this.createdLink.set(new URL(created.path, window.location.origin).href);
        }),
      ),
    );
  }

  protected revoke(invite: Invite): void {
    this.run(this.admin.revokeInvite(invite.id));
  }

  protected setDisabled(person: AdminUser, disabled: boolean): void {
    this.run(this.admin.setDisabled(person.id, disabled));
  }

  protected copyLink(link: string): void {
    navigator.clipboard
      .writeText(link)
      .then(() => this.copied.set(true))
      .catch(() => this.copied.set(false));
  }

  protected inviteLabel(invite: Invite): string {
    return invite.note ?? `created ${new Date(invite.createdAt).toLocaleString()}`;
  }

  private run(action: Observable<unknown>): void {
    this.error.set(null);
    this.busy.set(true);
    action.subscribe({
      next: () => undefined,
      error: (error: unknown) => {
        this.busy.set(false);
        this.error.set(toCallgateError(error).message);
      },
      complete: () => {
        this.busy.set(false);
        this.reloads.next();
      },
    });
  }
}
