import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, type Signal, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import type { CallRecord, Contact } from '@callgate/protocol';
import {
  Subject,
  auditTime,
  catchError,
  combineLatest,
  debounceTime,
  distinctUntilChanged,
  filter,
  map,
  merge,
  of,
  startWith,
  switchMap,
} from 'rxjs';

import { AuthService } from '../auth/auth.service';
import { CallService } from '../call/call.service';
import { toCallgateError } from '../shared/api-error';
import { formatDuration } from '../shared/format';
import { SignalingClient } from '../signaling/signaling-client';
import { ContactsService } from './contacts.service';
import { PresenceService } from './presence.service';

interface SearchResult {
  users: Contact[];
  error: string | null;
  loading: boolean;
}

/** Find people, see who is online, call them; recent and missed calls below. */
@Component({
  selector: 'cg-contacts',
  imports: [DatePipe],
  templateUrl: './contacts.component.html',
  styleUrl: './contacts.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ContactsComponent {
  private readonly contacts = inject(ContactsService);
  private readonly presence = inject(PresenceService);
  private readonly auth = inject(AuthService);
  protected readonly calls = inject(CallService);
  private readonly queries = new Subject<string>();
  private readonly signaling = inject(SignalingClient);
  /** Shown while a new search is loading, so the list does not flash empty. */
  private lastUsers: Contact[] = [];

  /** Someone we do not list came online (e.g. just signed up): search again. */
  private readonly strangerOnline = this.signaling.on('presence').pipe(
    filter((p) => p.online && !this.results().users.some((u) => u.id === p.userId)),
    auditTime(500),
    map(() => undefined),
    startWith(undefined),
  );

  protected readonly results: Signal<SearchResult> = toSignal(
    combineLatest([
      this.queries.pipe(
        map((q) => q.trim()),
        debounceTime(250),
        distinctUntilChanged(),
        startWith(''),
      ),
      this.strangerOnline,
    ]).pipe(
      // switchMap: a newer query cancels the answer to an older one.
      switchMap(([query]) =>
        this.contacts.search(query).pipe(
          map((list): SearchResult => {
            this.lastUsers = list.users;
            return { users: list.users, error: null, loading: false };
          }),
          catchError((error: unknown) =>
            of<SearchResult>({
              users: [],
              // An empty query may simply be refused; only explain errors for a real search.
              error: query === '' ? null : toCallgateError(error).message,
              loading: false,
            }),
          ),
          startWith<SearchResult>({ users: this.lastUsers, error: null, loading: true }),
        ),
      ),
    ),
    { initialValue: { users: [], error: null, loading: true } },
  );

  protected readonly people = computed(() => {
    const me = this.auth.user()?.id;
    this.presence.onlineIds(); // re-evaluate on every presence change
    return this.results()
      .users.filter((u) => u.id !== me)
      .map((u) => ({ ...u, online: this.presence.isOnline(u.id, u.online) }))
      .sort((a, b) => Number(b.online) - Number(a.online) || a.username.localeCompare(b.username));
  });

  protected readonly history = toSignal(
    merge(
      of(undefined),
      this.calls.state$.pipe(
        filter((s) => s.name === 'ended'),
        map(() => undefined),
      ),
    ).pipe(
      switchMap(() =>
        this.contacts.recentCalls().pipe(catchError(() => of<CallRecord[] | null>(null))),
      ),
    ),
    { initialValue: null },
  );
  protected readonly missed = computed(() => (this.history() ?? []).filter((c) => c.missed));
  protected readonly callInProgress = computed(() => {
    const name = this.calls.state().name;
    return name !== 'idle' && name !== 'ended';
  });

  protected search(value: string): void {
    this.queries.next(value);
  }

  /** `video: false` is a voice call: no camera on either side until someone adds it. */
  protected call(person: Contact, video = true): void {
    void this.calls.call(person, { video });
  }

  protected nameOf(person: { displayName: string; username: string }): string {
    return person.displayName || person.username;
  }

  protected describe(record: CallRecord): string {
    const name = this.nameOf(record.peer);
    if (record.missed) return `Missed call from ${name}`;
    const direction = record.direction === 'outgoing' ? `You called ${name}` : `${name} called you`;
    if (record.durationSeconds > 0)
      return `${direction} · ${formatDuration(record.durationSeconds)}`;
    const outcome: Record<CallRecord['reason'], string> = {
      declined: 'declined',
      busy: 'busy',
      hangup: 'ended',
      cancelled: 'cancelled',
      timeout: 'no answer',
      disconnected: 'disconnected',
      answered_elsewhere: 'answered elsewhere',
    };
    return `${direction} · ${outcome[record.reason]}`;
  }
}
