import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccessTokenGuard, AuthUserId } from '../auth/access-token.guard';
import { CallgateError } from '../common/callgate-error';
import { ApiErrorResponseDto } from '../common/api-error.dto';
import { RestValidationPipe } from '../common/rest-validation.pipe';
import { InvitesService } from '../invites/invites.service';
import { AdminGuard } from './admin.guard';
import { AdminService } from './admin.service';
import {
  AdminUserDto,
  AdminUserListDto,
  CreatedInviteDto,
  CreateInviteDto,
  InviteDto,
  InviteListDto,
} from './dto/admin.dto';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => CallgateError.notFound('There is nothing with this id.'),
});

@ApiTags('admin')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ApiErrorResponseDto })
@ApiForbiddenResponse({ type: ApiErrorResponseDto, description: 'Not an administrator.' })
@UseGuards(AccessTokenGuard, AdminGuard)
@UsePipes(RestValidationPipe)
@Controller('admin')
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly invites: InvitesService,
  ) {}

  @Get('users')
  @ApiOkResponse({ type: AdminUserListDto })
  async users(): Promise<AdminUserListDto> {
    return { users: await this.admin.list() };
  }

  @Post('users/:id/disable')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: AdminUserDto, description: 'Sessions revoked, sockets cut.' })
  @ApiNotFoundResponse({ type: ApiErrorResponseDto })
  disable(@AuthUserId() adminId: string, @Param('id', uuid) id: string): Promise<AdminUserDto> {
    return this.admin.setDisabled(adminId, id, true);
  }

  @Post('users/:id/enable')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: AdminUserDto })
  @ApiNotFoundResponse({ type: ApiErrorResponseDto })
  enable(@AuthUserId() adminId: string, @Param('id', uuid) id: string): Promise<AdminUserDto> {
    return this.admin.setDisabled(adminId, id, false);
  }

  @Get('invites')
  @ApiOkResponse({ type: InviteListDto })
  async listInvites(): Promise<InviteListDto> {
    return { invites: await this.invites.list() };
  }

  @Post('invites')
  @ApiCreatedResponse({ type: CreatedInviteDto, description: 'The token is shown only here.' })
  createInvite(
    @AuthUserId() adminId: string,
    @Body() body: CreateInviteDto,
  ): Promise<CreatedInviteDto> {
    return this.invites.create(adminId, body.expiresInHours, body.note);
  }

  @Delete('invites/:id')
  @ApiOkResponse({ type: InviteDto, description: 'The invite, now revoked.' })
  @ApiNotFoundResponse({ type: ApiErrorResponseDto })
  revokeInvite(@Param('id', uuid) id: string): Promise<InviteDto> {
    return this.invites.revoke(id);
  }
}
