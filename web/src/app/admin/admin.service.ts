import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  AdminUser,
  AdminUserList,
  CreatedInvite,
  CreateInviteRequest,
  Invite,
  InviteList,
} from '@callgate/protocol';
import { type Observable, catchError, map, throwError } from 'rxjs';

import { toCallgateError } from '../shared/api-error';

/** The admin API (`/api/admin/*`); the gateway answers 403 to everyone but admins. */
@Injectable({ providedIn: 'root' })
export class AdminService {
  private readonly http = inject(HttpClient);

  people(): Observable<AdminUser[]> {
    return this.http.get<AdminUserList>('/api/admin/users').pipe(
      map((list) => list.users),
      catchError((error: unknown) => throwError(() => toCallgateError(error))),
    );
  }

  setDisabled(userId: string, disabled: boolean): Observable<AdminUser> {
    const action = disabled ? 'disable' : 'enable';
    return this.http
      .post<AdminUser>(`/api/admin/users/${encodeURIComponent(userId)}/${action}`, {})
      .pipe(catchError((error: unknown) => throwError(() => toCallgateError(error))));
  }

  invites(): Observable<Invite[]> {
    return this.http.get<InviteList>('/api/admin/invites').pipe(
      map((list) => list.invites),
      catchError((error: unknown) => throwError(() => toCallgateError(error))),
    );
  }

  createInvite(request: CreateInviteRequest): Observable<CreatedInvite> {
    return this.http
      .post<CreatedInvite>('/api/admin/invites', request)
      .pipe(catchError((error: unknown) => throwError(() => toCallgateError(error))));
  }

  revokeInvite(id: string): Observable<Invite> {
    return this.http
      .delete<Invite>(`/api/admin/invites/${encodeURIComponent(id)}`)
      .pipe(catchError((error: unknown) => throwError(() => toCallgateError(error))));
  }
}
