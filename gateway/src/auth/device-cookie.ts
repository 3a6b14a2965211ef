import type { Request, Response } from 'express';
import { DEVICE_COOKIE_NAME } from '@callgate/protocol';
import type { CookieSecureMode } from '../config/app-config';
import { refreshCookieOptions } from './refresh-cookie';

/** A year: the cookie only vouches that this browser signed in before. */
const DEVICE_COOKIE_MAX_AGE_MS = 365 * 24 * 3600 * 1000;

export function readDeviceCookie(request: Request): string | undefined {
  const cookies: Record<string, unknown> | undefined = (
    request as Request & { cookies?: Record<string, unknown> }
  ).cookies;
  const value = cookies?.[DEVICE_COOKIE_NAME];
  return typeof value === 'string' ? value : undefined;
}

/** Same flags as the refresh cookie (httpOnly, SameSite=Strict, path /api/auth). */
export function setDeviceCookie(
  request: Request,
  response: Response,
  mode: CookieSecureMode,
  value: string,
): void {
  response.cookie(DEVICE_COOKIE_NAME, value, {
    ...refreshCookieOptions(request, mode),
    maxAge: DEVICE_COOKIE_MAX_AGE_MS,
  });
}
