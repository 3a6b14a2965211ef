import { Controller, Get, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AccessTokenGuard, AuthUserId } from '../access-token/access-token.guard';
import { ApiErrorResponseDto } from '../common/api-error.dto';
import { RestValidationPipe } from '../common/rest-validation.pipe';
import { CallHistoryService } from './call-history.service';
import { CallHistoryDto, RecentCallsQueryDto } from './dto/call-history.dto';

@ApiTags('calls')
@ApiBearerAuth()
@UseGuards(AccessTokenGuard)
@UsePipes(RestValidationPipe)
@Controller('calls')
export class CallsController {
  constructor(private readonly history: CallHistoryService) {}

  @Get('recent')
  @ApiOkResponse({ type: CallHistoryDto, description: 'Your most recent calls, newest first.' })
  @ApiUnauthorizedResponse({ type: ApiErrorResponseDto })
  async recent(
    @AuthUserId() userId: string,
    @Query() query: RecentCallsQueryDto,
  ): Promise<CallHistoryDto> {
    return { calls: await this.history.recent(userId, query.limit ?? 50) };
  }
}
