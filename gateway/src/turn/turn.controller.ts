import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AccessTokenGuard, AuthUserId } from '../access-token/access-token.guard';
import { ApiErrorResponseDto } from '../common/api-error.dto';
import { TurnCredentialsDto } from './dto/turn.dto';
import { TurnCredentialService } from './turn-credential.service';

@ApiTags('turn')
@ApiBearerAuth()
@UseGuards(AccessTokenGuard)
@Controller('turn')
export class TurnController {
  constructor(private readonly turn: TurnCredentialService) {}

  @Get('credentials')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({
    type: TurnCredentialsDto,
    description: 'ICE servers for RTCPeerConnection; the only ones to use.',
  })
  @ApiUnauthorizedResponse({ type: ApiErrorResponseDto })
  credentials(@AuthUserId() userId: string): TurnCredentialsDto {
    return this.turn.issue(userId, 'rest');
  }
}
