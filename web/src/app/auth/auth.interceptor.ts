import { HttpErrorResponse, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { ErrorCode } from '@callgate/protocol';
import { catchError, switchMap, throwError } from 'rxjs';

import { toCallgateError } from '../shared/api-error';

import { AuthService } from './auth.service';

/** Endpoints that authenticate by cookie or credentials, never by bearer token. */
const COOKIE_AUTH_PATHS = ['/api/auth/login', '/api/auth/register', '/api/auth/refresh'];

function needsBearer(request: HttpRequest<unknown>): boolean {
  return request.url.startsWith('/api/') && !COOKIE_AUTH_PATHS.includes(request.url);
}

/**
 * Adds the in-memory access token to gateway requests. On a 401 it refreshes the token
 * once and replays the request, so an expired token never surfaces as an error. A 403
 * saying the account was disabled ends the session here too.
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  if (!needsBearer(request)) return next(request);
  const auth = inject(AuthService);
  const token = auth.accessToken();
  const withToken = (value: string | null) =>
    value ? request.clone({ setHeaders: { Authorization: `Bearer ${value}` } }) : request;
  return next(withToken(token)).pipe(
    catchError((error: unknown) => {
      if (error instanceof HttpErrorResponse && error.status === 401 && token !== null) {
        return auth.refresh().pipe(switchMap((session) => next(withToken(session.accessToken))));
      }
      if (error instanceof HttpErrorResponse && error.status === 403) {
        const refusal = toCallgateError(error);
        if (refusal.code === ErrorCode.AccountDisabled) auth.endedByServer(refusal.message);
      }
      return throwError(() => error);
    }),
  );
};
