import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import {
  type AdminUser,
  type AdminUserList,
  type CreatedInvite,
  type CreateInviteRequest,
  INVITE_DEFAULT_HOURS,
  INVITE_MAX_HOURS,
  INVITE_NOTE_MAX_LENGTH,
  type Invite,
  type InviteList,
  type InviteStatus,
} from '@callgate/protocol';
import { NoUnsafeCharacters } from '../../common/validation';

const INVITE_STATUSES: readonly InviteStatus[] = ['pending', 'used', 'expired', 'revoked'];

export class AdminUserDto implements AdminUser {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty() isAdmin!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastSeenAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) disabledAt!: string | null;
}

export class AdminUserListDto implements AdminUserList {
  @ApiProperty({ type: [AdminUserDto] }) users!: AdminUserDto[];
}

export class CreateInviteDto implements CreateInviteRequest {
  @ApiPropertyOptional({ minimum: 1, maximum: INVITE_MAX_HOURS, default: INVITE_DEFAULT_HOURS })
  @IsOptional()
  @IsInt({ message: 'expiresInHours must be a whole number of hours' })
  @Min(1, { message: 'expiresInHours must be at least 1' })
  @Max(INVITE_MAX_HOURS, { message: `expiresInHours must be at most ${INVITE_MAX_HOURS}` })
  expiresInHours?: number;

  @ApiPropertyOptional({ maxLength: INVITE_NOTE_MAX_LENGTH })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @NoUnsafeCharacters()
  @MinLength(1, { message: 'note must not be blank' })
  @MaxLength(INVITE_NOTE_MAX_LENGTH, {
    message: `note must be at most ${INVITE_NOTE_MAX_LENGTH} characters`,
  })
  note?: string;
}

export class InviteDto implements Invite {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ enum: INVITE_STATUSES }) status!: InviteStatus;
  @ApiProperty({ nullable: true, type: String }) usedBy!: string | null;
}

export class CreatedInviteDto extends InviteDto implements CreatedInvite {
  @ApiProperty({ description: 'Shown once; only its hash is stored.' }) token!: string;
  @ApiProperty({ example: '/signup?invite=…' }) path!: string;
}

export class InviteListDto implements InviteList {
  @ApiProperty({ type: [InviteDto] }) invites!: InviteDto[];
}
