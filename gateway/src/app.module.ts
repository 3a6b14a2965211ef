import { type DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import { AccessTokenModule } from './auth/access-token.module';
import { AuthModule } from './auth/auth.module';
import { CallsModule } from './calls/calls.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { RedisModule } from './redis/redis.module';
import { SignalingModule } from './signaling/signaling.module';
import { TurnModule } from './turn/turn.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** The whole gateway for one validated configuration. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        MetricsModule,
        DatabaseModule,
        RedisModule,
        AccessTokenModule,
        AuthModule,
        AdminModule,
        UsersModule,
        TurnModule,
        CallsModule,
        SignalingModule,
        HealthModule,
      ],
    };
  }
}
