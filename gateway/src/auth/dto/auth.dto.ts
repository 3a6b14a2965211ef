import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import {
  type AuthSession,
  type ChangePasswordRequest,
  type RegistrationInfo,
  REGISTRATION_MODES,
  type RegistrationMode,
  type LoginRequest,
  type RegisterRequest,
  DISPLAY_NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
  USERNAME_PATTERN,
} from '@callgate/protocol';
import { NoUnsafeCharacters } from '../../common/validation';
import { CurrentUserDto } from '../../users/dto/user.dto';

const INVITE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

const normaliseUsername = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;
const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class RegisterDto implements RegisterRequest {
  @ApiProperty({
    description: 'Lower-cased before it is checked; unique regardless of case.',
    pattern: USERNAME_PATTERN.source,
    minLength: USERNAME_MIN_LENGTH,
    maxLength: USERNAME_MAX_LENGTH,
    example: 'alice',
  })
  @Transform(normaliseUsername)
  @IsString()
  @NoUnsafeCharacters()
  @Matches(USERNAME_PATTERN, {
    message: `username must be ${USERNAME_MIN_LENGTH}-${USERNAME_MAX_LENGTH} characters of a-z, 0-9, "_", "." or "-"`,
  })
  username!: string;

  @ApiProperty({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    format: 'password',
  })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH, {
    message: `password must be at least ${PASSWORD_MIN_LENGTH} characters`,
  })
  @MaxLength(PASSWORD_MAX_LENGTH, {
    message: `password must be at most ${PASSWORD_MAX_LENGTH} characters`,
  })
  password!: string;

  @ApiPropertyOptional({
    maxLength: DISPLAY_NAME_MAX_LENGTH,
    description: 'Defaults to the username.',
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @NoUnsafeCharacters()
  @MinLength(1, { message: 'displayName must not be blank' })
  @MaxLength(DISPLAY_NAME_MAX_LENGTH, {
    message: `displayName must be at most ${DISPLAY_NAME_MAX_LENGTH} characters`,
  })
  displayName?: string;

  @ApiPropertyOptional({
    description: 'Token of an invite link; required when REGISTRATION is invite.',
  })
  @IsOptional()
  @IsString()
  @Matches(INVITE_TOKEN_PATTERN, { message: 'invite must be the token from an invite link' })
  invite?: string;
}

export class ChangePasswordDto implements ChangePasswordRequest {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1, { message: 'currentPassword is required' })
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword!: string;

  @ApiProperty({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    format: 'password',
  })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH, {
    message: `newPassword must be at least ${PASSWORD_MIN_LENGTH} characters`,
  })
  @MaxLength(PASSWORD_MAX_LENGTH, {
    message: `newPassword must be at most ${PASSWORD_MAX_LENGTH} characters`,
  })
  newPassword!: string;
}

export class RegistrationInfoDto implements RegistrationInfo {
  @ApiProperty({ enum: REGISTRATION_MODES })
  mode!: RegistrationMode;

  @ApiProperty({ description: 'Empty database: the next sign-up becomes admin, no invite needed.' })
  firstAccount!: boolean;
}

export class LoginDto implements LoginRequest {
  @ApiProperty({ example: 'alice' })
  @Transform(normaliseUsername)
  @IsString()
  @NoUnsafeCharacters()
  @MinLength(1, { message: 'username is required' })
  @MaxLength(USERNAME_MAX_LENGTH * 2)
  username!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MinLength(1, { message: 'password is required' })
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}

export class AuthSessionDto implements AuthSession {
  @ApiProperty({ type: CurrentUserDto })
  user!: CurrentUserDto;

  @ApiProperty({
    description: 'JWT (HS256) to send as `Authorization: Bearer` and in the socket handshake.',
  })
  accessToken!: string;

  @ApiProperty({ description: 'Seconds until accessToken expires.', example: 900 })
  expiresIn!: number;
}
