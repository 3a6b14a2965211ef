import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  CALL_END_REASONS,
  type CallEndReason,
  type CallHistory,
  type CallRecord,
} from '@callgate/protocol';
import { UserSummaryDto } from '../../users/dto/user.dto';

export class CallRecordDto implements CallRecord {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: UserSummaryDto })
  peer!: UserSummaryDto;

  @ApiProperty({ enum: ['outgoing', 'incoming'] })
  direction!: 'outgoing' | 'incoming';

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  answeredAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  endedAt!: string;

  @ApiProperty({ enum: CALL_END_REASONS })
  reason!: CallEndReason;

  @ApiProperty({
    description: 'Incoming and never answered (timeout, or cancelled by the caller).',
  })
  missed!: boolean;

  @ApiProperty()
  durationSeconds!: number;
}

export class CallHistoryDto implements CallHistory {
  @ApiProperty({ type: [CallRecordDto] })
  calls!: CallRecordDto[];
}

export class RecentCallsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
