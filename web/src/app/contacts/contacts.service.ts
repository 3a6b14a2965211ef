import { HttpClient, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { CallHistory, ContactList } from '@callgate/protocol';
import { type Observable, catchError, map, throwError } from 'rxjs';

import { toCallgateError } from '../shared/api-error';

/** People search and call history over REST. */
@Injectable({ providedIn: 'root' })
export class ContactsService {
  private readonly http = inject(HttpClient);

  search(query: string): Observable<ContactList> {
    const params = new HttpParams().set('query', query);
    return this.http
      .get<ContactList>('/api/users', { params })
      .pipe(catchError((error: unknown) => throwError(() => toCallgateError(error))));
  }

  recentCalls(): Observable<CallHistory['calls']> {
    return this.http.get<CallHistory>('/api/calls/recent').pipe(
      map((history) => history.calls),
      catchError((error: unknown) => throwError(() => toCallgateError(error))),
    );
  }
}
