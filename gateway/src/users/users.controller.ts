import { Controller, Get, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AccessTokenGuard, AuthUserId } from '../auth/access-token.guard';
import { ApiErrorResponseDto } from '../common/api-error.dto';
import { RestValidationPipe } from '../common/rest-validation.pipe';
import { ContactListDto, ContactQueryDto, CurrentUserDto } from './dto/user.dto';
import { toCurrentUser, UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ApiErrorResponseDto })
@UseGuards(AccessTokenGuard)
@UsePipes(RestValidationPipe)
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOkResponse({ type: CurrentUserDto })
  async me(@AuthUserId() userId: string): Promise<CurrentUserDto> {
    return toCurrentUser(await this.users.getActive(userId));
  }

  @Get()
  @ApiOkResponse({
    type: ContactListDto,
    description: 'People you can call, yourself excluded, at most 50.',
  })
  async list(
    @AuthUserId() userId: string,
    @Query() query: ContactQueryDto,
  ): Promise<ContactListDto> {
    return { users: await this.users.search(userId, query.query?.trim() ?? '') };
  }
}
