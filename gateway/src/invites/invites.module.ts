import { Module } from '@nestjs/common';
import { InvitesService } from './invites.service';

/** Invite links: created and listed by admins, consumed by registration. */
@Module({ providers: [InvitesService], exports: [InvitesService] })
export class InvitesModule {}
