import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import type {
  AuthSession,
  ChangePasswordRequest,
  CurrentUser,
  LoginRequest,
  RegisterRequest,
  RegistrationInfo,
} from '@callgate/protocol';
import {
  BehaviorSubject,
  type Observable,
  distinctUntilChanged,
  finalize,
  map,
  shareReplay,
  tap,
  catchError,
  throwError,
  firstValueFrom,
} from 'rxjs';

import { toCallgateError } from '../shared/api-error';

export type AuthStatus = 'restoring' | 'signed-in' | 'signed-out';

/** What the client knows about the signed-in person. The token lives in memory only. */
export interface Session {
  user: CurrentUser;
  accessToken: string;
  /** Epoch milliseconds at which the access token expires. */
  expiresAt: number;
}

/** Refresh this long before the access token expires. */
export const REFRESH_LEAD_MS = 60_000;
/** Never schedule a refresh sooner than this (short-lived tokens in tests and dev). */
export const MIN_REFRESH_DELAY_MS = 5_000;
/** After a refresh that failed for network reasons, try again after this long. */
export const REFRESH_RETRY_MS = 10_000;

/**
 * Signs people in and keeps them signed in. The access token is held in memory only;
 * the refresh token is an httpOnly cookie the browser sends to `/api/auth/refresh`.
 * The token is refreshed on start (to restore a session after a reload), shortly before
 * it expires, and whenever the gateway says it expired.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly http = inject(HttpClient);
  private readonly sessions = new BehaviorSubject<Session | null>(null);
  private readonly statusSignal = signal<AuthStatus>('restoring');
  private refreshInFlight: Observable<Session> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  /** The current session; `null` when signed out. */
  readonly session$ = this.sessions.asObservable();
  /** Emits each new access token (and `null` on sign-out), e.g. to re-authenticate the socket. */
  readonly accessToken$ = this.sessions.pipe(
    map((s) => s?.accessToken ?? null),
    distinctUntilChanged(),
  );
  readonly status = this.statusSignal.asReadonly();
  private readonly userSignal = signal<CurrentUser | null>(null);
  readonly user = this.userSignal.asReadonly();
  readonly signedIn = computed(() => this.statusSignal() === 'signed-in');
  private readonly endedSignal = signal<string | null>(null);
  /**
   * Why the server ended this tab's session (signed out elsewhere, account disabled), for
   * the sign-in page to say; null after a sign-out of one's own.
   */
  readonly endedReason = this.endedSignal.asReadonly();

  constructor() {
    inject(DestroyRef).onDestroy(() => this.clearTimer());
  }

  /** The access token for the next request or handshake, or `null` when signed out. */
  accessToken(): string | null {
    return this.sessions.value?.accessToken ?? null;
  }

  /** Milliseconds until the access token expires (negative when it already has). */
  expiresInMs(): number {
    const session = this.sessions.value;
    return session ? session.expiresAt - Date.now() : 0;
  }

  /**
   * Restores a session from the refresh cookie. Never throws: no cookie means signed out.
   * Without the hint that this browser signed in before, it does not even ask: a refresh
   * refused with 401 shows up as a failed request in the console of every new visitor.
   */
  async restore(): Promise<void> {
    if (!readSessionHint()) {
      this.statusSignal.set('signed-out');
      return;
    }
    try {
      await firstValueFrom(this.refresh());
    } catch {
      // No valid refresh cookie (or no server): the person signs in again.
    }
  }

  /** What the sign-up form should offer (invite needed, first account). */
  registrationInfo(): Observable<RegistrationInfo> {
    return this.http
      .get<RegistrationInfo>('/api/auth/registration')
      .pipe(catchError((error: unknown) => throwError(() => toCallgateError(error))));
  }

  login(request: LoginRequest): Observable<CurrentUser> {
    return this.http.post<AuthSession>('/api/auth/login', request).pipe(
      map((body) => this.accept(body).user),
      catchError((error: unknown) => throwError(() => toCallgateError(error))),
    );
  }

  register(request: RegisterRequest): Observable<CurrentUser> {
    return this.http.post<AuthSession>('/api/auth/register', request).pipe(
      map((body) => this.accept(body).user),
      catchError((error: unknown) => throwError(() => toCallgateError(error))),
    );
  }

  /**
   * Exchanges the refresh cookie for a new access token. Concurrent callers share one
   * request. A refused cookie signs the person out; a network failure keeps the session
   * and retries later.
   */
  refresh(): Observable<Session> {
    if (this.refreshInFlight) return this.refreshInFlight;
    this.refreshInFlight = this.http.post<AuthSession>('/api/auth/refresh', {}).pipe(
      map((body) => this.accept(body)),
      catchError((error: unknown) => {
        if (error instanceof HttpErrorResponse && (error.status === 0 || error.status >= 500)) {
          if (this.sessions.value) this.schedule(REFRESH_RETRY_MS);
          else this.statusSignal.set('signed-out');
        } else if (this.sessions.value) {
          // A session we had was refused (signed out elsewhere, disabled): say why.
          this.endedByServer(toCallgateError(error).message);
        } else {
          this.clear();
        }
        return throwError(() => toCallgateError(error));
      }),
      finalize(() => (this.refreshInFlight = null)),
      shareReplay({ bufferSize: 1, refCount: false }),
    );
    return this.refreshInFlight;
  }

  /** Ends the session on the server (clears the cookie) and forgets it here either way. */
  logout(): Observable<void> {
    return this.http.post<void>('/api/auth/logout', {}).pipe(
      catchError(() => [undefined]),
      map(() => undefined),
      tap(() => this.clear()),
    );
  }

  /** Ends every session of the account, this one included ("Sign out everywhere"). */
  logoutEverywhere(): Observable<void> {
    return this.http.post<void>('/api/auth/logout-everywhere', {}).pipe(
      catchError((error: unknown) => throwError(() => toCallgateError(error))),
      tap(() => this.clear()),
    );
  }

  /** Changes the password; the server signs out every other session. */
  changePassword(request: ChangePasswordRequest): Observable<void> {
    return this.http
      .post<void>('/api/auth/password', request)
      .pipe(catchError((error: unknown) => throwError(() => toCallgateError(error))));
  }

  /** The server ended this session: forget it and keep the sentence for the sign-in page. */
  endedByServer(message: string): void {
    if (this.statusSignal() !== 'signed-in') return;
    this.clear();
    this.endedSignal.set(message);
  }

  /** Forgets the session locally, e.g. when the gateway refuses our refresh cookie. */
  clear(): void {
    writeSessionHint(false);
    this.clearTimer();
    this.sessions.next(null);
    this.userSignal.set(null);
    this.statusSignal.set('signed-out');
  }

  private accept(body: AuthSession): Session {
    const session: Session = {
      user: body.user,
      accessToken: body.accessToken,
      expiresAt: Date.now() + body.expiresIn * 1000,
    };
    this.sessions.next(session);
    writeSessionHint(true);
    this.endedSignal.set(null);
    this.userSignal.set(body.user);
    this.statusSignal.set('signed-in');
    this.schedule(Math.max(MIN_REFRESH_DELAY_MS, body.expiresIn * 1000 - REFRESH_LEAD_MS));
    return session;
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.refresh().subscribe({ error: () => undefined });
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }
}

/**
 * `localStorage` flag: this browser holds a refresh cookie (it signed in and did not sign
 * out). The cookie itself is httpOnly, so the page cannot look at it.
 */
export const SESSION_HINT_KEY = 'callgate.signedIn';

function readSessionHint(): boolean {
  try {
    return localStorage.getItem(SESSION_HINT_KEY) === '1';
  } catch {
    return true; // Storage blocked: ask the server, as before.
  }
}

function writeSessionHint(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(SESSION_HINT_KEY, '1');
    else localStorage.removeItem(SESSION_HINT_KEY);
  } catch {
    // Storage blocked: restore() asks the server every time.
  }
}
