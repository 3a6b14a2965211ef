import { Type } from 'class-transformer';
import {
  IsBoolean,
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  type CallIdPayload,
  type CallInvitePayload,
  type IceCandidatePayload,
  MAX_CANDIDATE_BYTES,
  MAX_SDP_BYTES,
  PRESENCE_SUBSCRIBE_MAX_IDS,
  type PresenceSubscribePayload,
  type ReauthenticatePayload,
  type SessionDescriptionPayload,
  type SignalPayload,
} from '@callgate/protocol';
import { MaxUtf8Bytes } from '../../common/validation';

const SDP_TYPES: readonly SessionDescriptionPayload['type'][] = [
  'offer',
  'answer',
  'pranswer',
  'rollback',
];

export class CallInviteDto implements CallInvitePayload {
  @IsUUID('all', { message: 'to must be a user id' })
  to!: string;

  @IsOptional()
  @IsBoolean({ message: 'video must be true or false' })
  video?: boolean;
}

export class PresenceSubscribeDto implements PresenceSubscribePayload {
  @IsArray({ message: 'userIds must be a list of user ids' })
  @ArrayMaxSize(PRESENCE_SUBSCRIBE_MAX_IDS, {
    message: `userIds may list at most ${PRESENCE_SUBSCRIBE_MAX_IDS} ids per message`,
  })
  @IsUUID('all', { each: true, message: 'userIds must be a list of user ids' })
  userIds!: string[];
}

export class CallIdDto implements CallIdPayload {
  @IsUUID('all', { message: 'callId must be a call id' })
  callId!: string;
}

export class SessionDescriptionDto implements SessionDescriptionPayload {
  @IsIn(SDP_TYPES, { message: `type must be one of ${SDP_TYPES.join(', ')}` })
  type!: SessionDescriptionPayload['type'];

  @IsOptional()
  @IsString()
  @MaxUtf8Bytes(MAX_SDP_BYTES)
  sdp?: string;
}

export class IceCandidateDto implements IceCandidatePayload {
  @IsString()
  @MaxUtf8Bytes(MAX_CANDIDATE_BYTES)
  candidate!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  sdpMid?: string | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1023)
  sdpMLineIndex?: number | null;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  usernameFragment?: string | null;
}

export class SignalDto implements SignalPayload {
  @IsUUID('all', { message: 'callId must be a call id' })
  callId!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => SessionDescriptionDto)
  description?: SessionDescriptionDto;

  /** `null` (end-of-candidates) is allowed; `undefined` means "no candidate in this message". */
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @ValidateNested()
  @Type(() => IceCandidateDto)
  candidate?: IceCandidateDto | null;
}

export class ReauthenticateDto implements ReauthenticatePayload {
  @IsString()
  @MaxLength(4096)
  token!: string;
}
