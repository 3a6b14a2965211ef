import { Module } from '@nestjs/common';
import { PresenceService } from './presence.service';

/** Presence across replicas (needs the global RedisModule). */
@Module({ providers: [PresenceService], exports: [PresenceService] })
export class PresenceModule {}
