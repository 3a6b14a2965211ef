import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Req,
  Res,
  UsePipes,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { REFRESH_COOKIE_NAME } from '@callgate/protocol';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiErrorResponseDto } from '../common/api-error.dto';
import { RestValidationPipe } from '../common/rest-validation.pipe';
import { AuthService, type IssuedSession } from './auth.service';
import { AuthSessionDto, LoginDto, RegisterDto } from './dto/auth.dto';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from './refresh-cookie';

@ApiTags('auth')
@UsePipes(RestValidationPipe)
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('register')
  @ApiCreatedResponse({
    type: AuthSessionDto,
    description: `Also sets the ${REFRESH_COOKIE_NAME} cookie.`,
  })
  @ApiBadRequestResponse({ type: ApiErrorResponseDto })
  @ApiConflictResponse({ type: ApiErrorResponseDto, description: 'Username taken.' })
  async register(
    @Body() body: RegisterDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AuthSessionDto> {
    return this.respond(await this.auth.register(body), request, response);
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({
    type: AuthSessionDto,
    description: `Also sets the ${REFRESH_COOKIE_NAME} cookie.`,
  })
  @ApiUnauthorizedResponse({
    type: ApiErrorResponseDto,
    description: 'Same message for unknown user and wrong password.',
  })
  @ApiTooManyRequestsResponse({
    type: ApiErrorResponseDto,
    description: 'Too many failures; see Retry-After.',
  })
  async login(
    @Body() body: LoginDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AuthSessionDto> {
    const address = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    return this.respond(await this.auth.login(body, address), request, response);
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiCookieAuth(REFRESH_COOKIE_NAME)
  @ApiOkResponse({ type: AuthSessionDto, description: 'Rotates the refresh cookie.' })
  @ApiUnauthorizedResponse({ type: ApiErrorResponseDto })
  async refresh(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AuthSessionDto> {
    try {
      return this.respond(await this.auth.refresh(readRefreshCookie(request)), request, response);
    } catch (error) {
      clearRefreshCookie(request, response, this.config.cookieSecure);
      throw error;
    }
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiCookieAuth(REFRESH_COOKIE_NAME)
  @ApiNoContentResponse({ description: 'Session family revoked and cookie cleared.' })
  async logout(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.auth.logout(readRefreshCookie(request));
    clearRefreshCookie(request, response, this.config.cookieSecure);
  }

  private respond(issued: IssuedSession, request: Request, response: Response): AuthSessionDto {
    setRefreshCookie(
      request,
      response,
      this.config.cookieSecure,
      issued.refreshToken,
      issued.refreshExpiresAt,
    );
    response.setHeader('Cache-Control', 'no-store');
    return issued.session;
  }
}
