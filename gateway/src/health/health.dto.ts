import { ApiProperty } from '@nestjs/swagger';
import type { HealthStatus } from '@callgate/protocol';

class HealthChecksDto {
  @ApiProperty({ enum: ['up', 'down'] })
  database!: 'up' | 'down';

  @ApiProperty({ enum: ['up', 'down'] })
  redis!: 'up' | 'down';
}

export class HealthStatusDto implements HealthStatus {
  @ApiProperty({ enum: ['ok', 'degraded'] })
  status!: 'ok' | 'degraded';

  @ApiProperty()
  live!: boolean;

  @ApiProperty()
  ready!: boolean;

  @ApiProperty({ type: HealthChecksDto })
  checks!: HealthChecksDto;

  @ApiProperty()
  replica!: string;

  @ApiProperty()
  version!: string;

  @ApiProperty()
  uptimeSeconds!: number;
}
