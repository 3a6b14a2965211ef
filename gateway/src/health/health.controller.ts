import { Controller, Get, Header, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { HealthStatus } from '@callgate/protocol';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { HealthStatusDto } from './health.dto';

/** Liveness + readiness: 200 when the database answers, 503 otherwise. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: HealthStatusDto })
  @ApiServiceUnavailableResponse({
    type: HealthStatusDto,
    description: 'The database does not answer.',
  })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthStatusDto> {
    const databaseUp = await this.db.isReady();
    const status: HealthStatus = {
      status: databaseUp ? 'ok' : 'degraded',
      live: true,
      ready: databaseUp,
      checks: { database: databaseUp ? 'up' : 'down' },
      version: this.config.version,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
    response.status(databaseUp ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return status;
  }
}
