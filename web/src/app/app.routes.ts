import type { Routes } from '@angular/router';

import { AdminComponent } from './admin/admin.component';
import { adminGuard, signedInGuard, signedOutGuard } from './auth/auth.guards';
import { LoginComponent } from './auth/login.component';
import { CallComponent } from './call/call.component';
import { ContactsComponent } from './contacts/contacts.component';
import { DiagnosticsComponent } from './diagnostics/diagnostics.component';
import { SettingsComponent } from './settings/settings.component';

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'contacts' },
  {
    path: 'login',
    component: LoginComponent,
    canActivate: [signedOutGuard],
    title: 'Sign in · Callgate',
  },
  {
    // Invite links point here: the same form, with the invite token in the query.
    path: 'signup',
    component: LoginComponent,
    canActivate: [signedOutGuard],
    title: 'Sign up · Callgate',
  },
  {
    path: 'admin',
    component: AdminComponent,
    canActivate: [signedInGuard, adminGuard],
    title: 'Admin · Callgate',
  },
  {
    path: 'contacts',
    component: ContactsComponent,
    canActivate: [signedInGuard],
    title: 'Contacts · Callgate',
  },
  {
    path: 'call',
    component: CallComponent,
    canActivate: [signedInGuard],
    title: 'Call · Callgate',
  },
  {
    path: 'settings',
    component: SettingsComponent,
    canActivate: [signedInGuard],
    title: 'Settings · Callgate',
  },
  {
    path: 'diagnostics',
    component: DiagnosticsComponent,
    canActivate: [signedInGuard],
    title: 'Network test · Callgate',
  },
  { path: '**', redirectTo: 'contacts' },
];
