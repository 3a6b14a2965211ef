import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Req,
  Res,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
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
import { DEVICE_COOKIE_NAME, REFRESH_COOKIE_NAME } from '@callgate/protocol';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiErrorResponseDto } from '../common/api-error.dto';
import { RestValidationPipe } from '../common/rest-validation.pipe';
import { AccessTokenGuard, AuthSessionId, AuthUserId } from './access-token.guard';
import { AuthService, type IssuedSession } from './auth.service';
import {
  AuthSessionDto,
  ChangePasswordDto,
  LoginDto,
  RegisterDto,
  RegistrationInfoDto,
} from './dto/auth.dto';
import { readDeviceCookie, setDeviceCookie } from './device-cookie';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from './refresh-cookie';
import { RegistrationService } from './registration.service';

@ApiTags('auth')
@UsePipes(RestValidationPipe)
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly registration: RegistrationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('registration')
  @ApiOkResponse({ type: RegistrationInfoDto, description: 'What the sign-up form should offer.' })
  registrationInfo(): Promise<RegistrationInfoDto> {
    return this.registration.info();
  }

  @Post('register')
  @ApiCreatedResponse({
    type: AuthSessionDto,
    description: `Also sets the ${REFRESH_COOKIE_NAME} cookie.`,
  })
  @ApiBadRequestResponse({ type: ApiErrorResponseDto })
  @ApiConflictResponse({ type: ApiErrorResponseDto, description: 'Username taken.' })
  @ApiForbiddenResponse({
    type: ApiErrorResponseDto,
    description: 'Sign-up closed, or the invite is missing, used, revoked or expired.',
  })
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
  @ApiForbiddenResponse({ type: ApiErrorResponseDto, description: 'Account disabled.' })
  @ApiTooManyRequestsResponse({
    type: ApiErrorResponseDto,
    description: `Too many failures for this username from browsers without a ${DEVICE_COOKIE_NAME} cookie (or for this device); see Retry-After.`,
  })
  async login(
    @Body() body: LoginDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AuthSessionDto> {
    const issued = await this.auth.login(body, readDeviceCookie(request));
    const session = this.respond(issued, request, response);
    // After the refresh cookie, so clients reading the first Set-Cookie still find it.
    if (issued.deviceCookie !== undefined)
      setDeviceCookie(request, response, this.config.cookieSecure, issued.deviceCookie);
    return session;
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

  @Post('logout-everywhere')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @UseGuards(AccessTokenGuard)
  @ApiNoContentResponse({
    description: 'Every session of the account ends, this one included; sockets are cut.',
  })
  @ApiUnauthorizedResponse({ type: ApiErrorResponseDto })
  async logoutEverywhere(
    @AuthUserId() userId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.auth.logoutEverywhere(userId);
    clearRefreshCookie(request, response, this.config.cookieSecure);
  }

  @Post('password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @UseGuards(AccessTokenGuard)
  @ApiNoContentResponse({ description: 'Password changed; every other session ended.' })
  @ApiBadRequestResponse({ type: ApiErrorResponseDto })
  @ApiForbiddenResponse({ type: ApiErrorResponseDto, description: 'Current password wrong.' })
  async changePassword(
    @AuthUserId() userId: string,
    @AuthSessionId() sessionId: string,
    @Body() body: ChangePasswordDto,
  ): Promise<void> {
    await this.auth.changePassword(userId, sessionId, body);
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
