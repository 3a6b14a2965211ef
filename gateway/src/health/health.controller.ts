import { Controller, Get, Header, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { HealthStatus } from '@callgate/protocol';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { RedisHealth } from '../redis/redis-health.service';
import { HealthStatusDto } from './health.dto';

/**
 * Liveness + readiness: 200 when the database and Redis answer, 503 otherwise. Always
 * names the replica, so a client behind the load balancer can tell which one it reached.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly db: DatabaseService,
    private readonly redis: RedisHealth,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: HealthStatusDto })
  @ApiServiceUnavailableResponse({
    type: HealthStatusDto,
    description: 'The database or Redis does not answer.',
  })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthStatusDto> {
    const [databaseUp, redisUp] = await Promise.all([this.db.isReady(), this.redis.ping()]);
    const ready = databaseUp && redisUp;
    const status: HealthStatus = {
      status: ready ? 'ok' : 'degraded',
      live: true,
      ready,
      checks: { database: databaseUp ? 'up' : 'down', redis: redisUp ? 'up' : 'down' },
      replica: this.config.redis.replicaId,
      version: this.config.version,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
    response.setHeader('X-Callgate-Replica', this.config.redis.replicaId);
    response.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return status;
  }
}
