/** Admin API shapes (`/api/admin/*`, admins only; everyone else gets 403). */

/** How people get an account: `REGISTRATION` on the gateway. */
export const RegistrationMode = {
  /** Anyone who can reach the page may sign up. */
  Open: 'open',
  /** Sign-up needs a single-use invite link from an admin (the default). */
  Invite: 'invite',
  /** Nobody signs up; accounts are created with the admin command. */
  Closed: 'closed',
} as const;
export type RegistrationMode = (typeof RegistrationMode)[keyof typeof RegistrationMode];
export const REGISTRATION_MODES: readonly RegistrationMode[] = Object.values(RegistrationMode);

/** `GET /api/auth/registration`: what the sign-up form should offer. */
export interface RegistrationInfo {
  mode: RegistrationMode;
  /** True on an empty database: the next sign-up needs no invite and becomes admin. */
  firstAccount: boolean;
}

/** One row of `GET /api/admin/users`. */
export interface AdminUser {
  id: string;
  username: string;
  displayName: string;
  isAdmin: boolean;
  createdAt: string;
  /** Last sign-in, refresh or signaling connection; null if never seen since sign-up. */
  lastSeenAt: string | null;
  /** When an admin disabled the account; null while it is enabled. */
  disabledAt: string | null;
}

export interface AdminUserList {
  users: AdminUser[];
}

/** `POST /api/admin/invites` */
export interface CreateInviteRequest {
  /** Hours until the link stops working (default 72). */
  expiresInHours?: number;
  /** Who the link is for, shown in the list only. */
  note?: string;
}

export type InviteStatus = 'pending' | 'used' | 'expired' | 'revoked';

export interface Invite {
  id: string;
  note: string | null;
  createdAt: string;
  expiresAt: string;
  status: InviteStatus;
  /** Username of the person who signed up with it. */
  usedBy: string | null;
}

/** Answer of `POST /api/admin/invites`: the token is shown once, never listed again. */
export interface CreatedInvite extends Invite {
  token: string;
  /** Path of the sign-up page with the token, to put after the site's origin. */
  path: string;
}

export interface InviteList {
  invites: Invite[];
}

/** Query parameter of the sign-up page that carries an invite token. */
export const INVITE_QUERY_PARAM = 'invite';
export const INVITE_MAX_HOURS = 24 * 30;
export const INVITE_DEFAULT_HOURS = 72;
export const INVITE_NOTE_MAX_LENGTH = 64;
