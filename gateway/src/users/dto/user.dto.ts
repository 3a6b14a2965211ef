import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Contact, ContactList, CurrentUser, UserSummary } from '@callgate/protocol';
import { NoUnsafeCharacters } from '../../common/validation';

export class UserSummaryDto implements UserSummary {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'alice' })
  username!: string;

  @ApiProperty({ example: 'Alice' })
  displayName!: string;
}

export class CurrentUserDto extends UserSummaryDto implements CurrentUser {
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ description: 'May use the admin page and /api/admin.' })
  isAdmin!: boolean;
}

export class ContactDto extends UserSummaryDto implements Contact {
  @ApiProperty({ description: 'Has at least one signaling connection open right now.' })
  online!: boolean;
}

export class ContactListDto implements ContactList {
  @ApiProperty({ type: [ContactDto] })
  users!: ContactDto[];
}

export class ContactQueryDto {
  @ApiPropertyOptional({
    description: 'Part of a username or display name; empty lists everyone.',
    maxLength: 64,
  })
  @IsOptional()
  @IsString()
  @NoUnsafeCharacters()
  @MaxLength(64)
  query?: string;
}
