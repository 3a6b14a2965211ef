import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';

import { AuthService } from './auth.service';

/** Pages for signed-in people; everyone else goes to the sign-in page. */
export const signedInGuard: CanActivateFn = (_route, state) => {
  if (inject(AuthService).signedIn()) return true;
  return inject(Router).createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });
};

/** The sign-in page sends people who are already signed in to their contacts. */
export const signedOutGuard: CanActivateFn = () =>
  inject(AuthService).signedIn() ? inject(Router).createUrlTree(['/contacts']) : true;

/** The admin page is for admins; the gateway refuses everyone else anyway (403). */
export const adminGuard: CanActivateFn = () =>
  inject(AuthService).user()?.isAdmin === true ? true : inject(Router).createUrlTree(['/contacts']);
