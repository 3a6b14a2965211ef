/** A person as other people see them. */
export interface UserSummary {
  id: string;
  username: string;
  displayName: string;
}

/** `GET /api/users/me` */
export interface CurrentUser extends UserSummary {
  createdAt: string;
  /** May open the admin page and call `/api/admin/*`. */
  isAdmin: boolean;
}

/** One row of `GET /api/users?query=`: someone you can call. */
export interface Contact extends UserSummary {
  online: boolean;
}

export interface ContactList {
  users: Contact[];
}
