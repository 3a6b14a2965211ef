import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { jest } from '@jest/globals';
import type { AuthSession } from '@callgate/protocol';
import { firstValueFrom } from 'rxjs';

import { authInterceptor } from './auth.interceptor';
import { AuthService, REFRESH_LEAD_MS, SESSION_HINT_KEY } from './auth.service';

const alice = {
  id: 'u1',
  username: 'alice',
  displayName: 'alice',
  createdAt: '2026-01-01T00:00:00Z',
  isAdmin: false,
};
const session = (token: string, expiresIn = 900): AuthSession => ({
  user: alice,
  accessToken: token,
  expiresIn,
});

describe('AuthService token refresh flow', () => {
  let auth: AuthService;
  let http: HttpClient;
  let backend: HttpTestingController;

  beforeEach(() => {
    jest.useFakeTimers();
    localStorage.setItem(SESSION_HINT_KEY, '1');
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
      ],
    });
    auth = TestBed.inject(AuthService);
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    backend.verify();
    jest.useRealTimers();
  });

  async function signIn(token = 'access-1', expiresIn = 900): Promise<void> {
    const done = firstValueFrom(auth.login({ username: 'alice', password: 'correct horse' }));
    backend.expectOne({ method: 'POST', url: '/api/auth/login' }).flush(session(token, expiresIn));
    await done;
  }

  it('restores a session from the refresh cookie on load', async () => {
    expect(auth.status()).toBe('restoring');
    const restored = auth.restore();
    backend.expectOne({ method: 'POST', url: '/api/auth/refresh' }).flush(session('from-cookie'));
    await restored;
    expect(auth.status()).toBe('signed-in');
    expect(auth.accessToken()).toBe('from-cookie');
  });

  it('a browser that never signed in (or signed out) sends no refresh request at all', async () => {
    localStorage.removeItem(SESSION_HINT_KEY);
    await auth.restore();
    backend.expectNone('/api/auth/refresh');
    expect(auth.status()).toBe('signed-out');
    await signIn();
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBe('1');
    auth.clear();
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBeNull();
  });

  it('is signed out when there is no valid refresh cookie', async () => {
    const restored = auth.restore();
    backend
      .expectOne('/api/auth/refresh')
      .flush(
        { statusCode: 401, error: { code: 'unauthorized', message: 'Sign in again.' } },
        { status: 401, statusText: 'Unauthorized' },
      );
    await restored;
    expect(auth.status()).toBe('signed-out');
    expect(auth.accessToken()).toBeNull();
    // The next load does not try again with a cookie the server refused.
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBeNull();
  });

  it('says why when the server ends a session it had, but not on a cold start', async () => {
    const restored = auth.restore();
    backend.expectOne('/api/auth/refresh').flush(
      {
        statusCode: 401,
        error: { code: 'unauthorized', message: 'No session cookie was sent; sign in.' },
      },
      { status: 401, statusText: 'Unauthorized' },
    );
    await restored;
    expect(auth.endedReason()).toBeNull();

    await signIn();
    auth.endedByServer('An administrator has disabled your account, so you were signed out.');
    expect(auth.status()).toBe('signed-out');
    expect(auth.accessToken()).toBeNull();
    expect(auth.endedReason()).toBe(
      'An administrator has disabled your account, so you were signed out.',
    );
    await signIn('access-2');
    expect(auth.endedReason()).toBeNull();
  });

  it('ends the session when any request says the account was disabled', async () => {
    await signIn();
    const request = firstValueFrom(http.get('/api/users/me')).catch(() => undefined);
    backend.expectOne('/api/users/me').flush(
      {
        statusCode: 403,
        error: { code: 'account_disabled', message: 'An administrator has disabled this account.' },
      },
      { status: 403, statusText: 'Forbidden' },
    );
    await request;
    expect(auth.status()).toBe('signed-out');
    expect(auth.endedReason()).toBe('An administrator has disabled this account.');
  });

  it('"sign out everywhere" asks the server with the access token, then forgets the session', async () => {
    await signIn('access-everywhere');
    const done = firstValueFrom(auth.logoutEverywhere());
    const request = backend.expectOne({ method: 'POST', url: '/api/auth/logout-everywhere' });
    expect(request.request.headers.get('Authorization')).toBe('Bearer access-everywhere');
    request.flush(null, { status: 204, statusText: 'No Content' });
    await done;
    expect(auth.status()).toBe('signed-out');
    expect(auth.endedReason()).toBeNull();
  });

  it('keeps the access token in memory only', async () => {
    await signIn('secret-token');
    expect(auth.accessToken()).toBe('secret-token');
    expect(JSON.stringify({ ...window.localStorage })).not.toContain('secret-token');
    expect(JSON.stringify({ ...window.sessionStorage })).not.toContain('secret-token');
    expect(document.cookie).not.toContain('secret-token');
  });

  it('refreshes shortly before the token expires, and again after that', async () => {
    await signIn('access-1', 900);
    jest.advanceTimersByTime(900_000 - REFRESH_LEAD_MS - 1);
    backend.expectNone('/api/auth/refresh');
    jest.advanceTimersByTime(1);
    backend.expectOne('/api/auth/refresh').flush(session('access-2', 900));
    expect(auth.accessToken()).toBe('access-2');
    jest.advanceTimersByTime(900_000 - REFRESH_LEAD_MS);
    backend.expectOne('/api/auth/refresh').flush(session('access-3', 900));
    expect(auth.accessToken()).toBe('access-3');
  });

  it('sends the bearer token to the API but never to the cookie endpoints', async () => {
    await signIn('access-1');
    http.get('/api/users/me').subscribe();
    expect(backend.expectOne('/api/users/me').request.headers.get('Authorization')).toBe(
      'Bearer access-1',
    );
    auth.refresh().subscribe();
    const refresh = backend.expectOne('/api/auth/refresh');
    expect(refresh.request.headers.has('Authorization')).toBe(false);
    refresh.flush(session('access-2'));
  });

  it('on a 401 refreshes once, shares the refresh between requests, and replays them', async () => {
    await signIn('expired');
    const results: unknown[] = [];
    http.get('/api/users/me').subscribe((r) => results.push(r));
    http.get('/api/calls/recent').subscribe((r) => results.push(r));
    const expired = {
      statusCode: 401,
      error: { code: 'token_expired', message: 'Token expired.' },
    };
    backend.expectOne('/api/users/me').flush(expired, { status: 401, statusText: 'Unauthorized' });
    backend
      .expectOne('/api/calls/recent')
      .flush(expired, { status: 401, statusText: 'Unauthorized' });
    // One refresh for both requests.
    backend.expectOne('/api/auth/refresh').flush(session('fresh'));
    const me = backend.expectOne('/api/users/me');
    const recent = backend.expectOne('/api/calls/recent');
    expect(me.request.headers.get('Authorization')).toBe('Bearer fresh');
    expect(recent.request.headers.get('Authorization')).toBe('Bearer fresh');
    me.flush(alice);
    recent.flush({ calls: [] });
    expect(results).toEqual([alice, { calls: [] }]);
  });

  it('signs out when the refresh cookie is refused, and the request fails', async () => {
    await signIn('expired');
    let failure: unknown = null;
    http.get('/api/users/me').subscribe({ error: (e: unknown) => (failure = e) });
    backend.expectOne('/api/users/me').flush({}, { status: 401, statusText: 'Unauthorized' });
    backend
      .expectOne('/api/auth/refresh')
      .flush(
        { statusCode: 401, error: { code: 'unauthorized', message: 'Session ended.' } },
        { status: 401, statusText: 'Unauthorized' },
      );
    expect(failure).not.toBeNull();
    expect(auth.status()).toBe('signed-out');
    expect(auth.accessToken()).toBeNull();
    backend.expectNone('/api/users/me');
  });

  it('keeps the session and retries later when the refresh fails for network reasons', async () => {
    await signIn('access-1', 900);
    jest.advanceTimersByTime(900_000 - REFRESH_LEAD_MS);
    backend.expectOne('/api/auth/refresh').error(new ProgressEvent('error'), { status: 0 });
    expect(auth.status()).toBe('signed-in');
    jest.advanceTimersByTime(10_000);
    backend.expectOne('/api/auth/refresh').flush(session('access-2'));
    expect(auth.accessToken()).toBe('access-2');
  });

  it('turns a refused sign-in into the server’s sentence', async () => {
    const attempt = firstValueFrom(auth.login({ username: 'alice', password: 'wrong password' }));
    backend.expectOne('/api/auth/login').flush(
      {
        statusCode: 401,
        error: { code: 'unauthorized', message: 'Wrong username or password.' },
      },
      { status: 401, statusText: 'Unauthorized' },
    );
    await expect(attempt).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'Wrong username or password.',
    });
    expect(auth.signedIn()).toBe(false);
    expect(auth.accessToken()).toBeNull();
  });
});
