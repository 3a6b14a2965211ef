import type { CurrentUser } from './users.js';

/** `POST /api/auth/register` */
export interface RegisterRequest {
  username: string;
  password: string;
  displayName?: string;
  /** The token of an invite link; required when registration is `invite`. */
  invite?: string;
}

/** `POST /api/auth/login` */
export interface LoginRequest {
  username: string;
  password: string;
}

/**
 * Answer of register, login and refresh. The refresh token travels only in the
 * httpOnly cookie (path `/api/auth`), never in a body.
 */
export interface AuthSession {
  user: CurrentUser;
  accessToken: string;
  /** Seconds until `accessToken` expires. */
  expiresIn: number;
}

export const REFRESH_COOKIE_NAME = 'callgate_refresh';
export const REFRESH_COOKIE_PATH = '/api/auth';

/** `POST /api/auth/password`: signs out every other session of the account. */
export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

/** Long-lived cookie that marks a browser which signed in before (OWASP device cookie). */
export const DEVICE_COOKIE_NAME = 'callgate_device';
