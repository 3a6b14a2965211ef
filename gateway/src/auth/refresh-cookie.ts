import type { CookieOptions, Request, Response } from 'express';
import { REFRESH_COOKIE_NAME, REFRESH_COOKIE_PATH } from '@callgate/protocol';
import type { CookieSecureMode } from '../config/app-config';

/**
 * The refresh cookie: httpOnly, SameSite=Strict, scoped to `/api/auth`, Secure when the
 * request arrived over TLS (`req.secure` honours X-Forwarded-Proto when TRUST_PROXY is on).
 */
export function refreshCookieOptions(
  request: Request,
  mode: CookieSecureMode,
  expires?: Date,
): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    path: REFRESH_COOKIE_PATH,
    secure: mode === 'always' || (mode === 'auto' && request.secure),
    ...(expires === undefined ? {} : { expires }),
  };
}

export function readRefreshCookie(request: Request): string | undefined {
  // cookie-parser types `cookies` as any: narrow it to what it really holds.
  const cookies = (request as { cookies?: Record<string, unknown> }).cookies;
  const value = cookies?.[REFRESH_COOKIE_NAME];
  return typeof value === 'string' ? value : undefined;
}

export function setRefreshCookie(
  request: Request,
  response: Response,
  mode: CookieSecureMode,
  token: string,
  expires: Date,
): void {
  response.cookie(REFRESH_COOKIE_NAME, token, refreshCookieOptions(request, mode, expires));
}

export function clearRefreshCookie(
  request: Request,
  response: Response,
  mode: CookieSecureMode,
): void {
  response.clearCookie(REFRESH_COOKIE_NAME, refreshCookieOptions(request, mode));
}
