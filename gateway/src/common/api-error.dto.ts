import { ApiProperty } from '@nestjs/swagger';
import {
  type ApiErrorResponse,
  type ErrorBody,
  ERROR_CODES,
  type ErrorCode,
} from '@callgate/protocol';

export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({ enum: ERROR_CODES })
  code!: ErrorCode;

  @ApiProperty({ description: 'A sentence a person can act on.' })
  message!: string;
}

/** Swagger shape of every REST error. */
export class ApiErrorResponseDto implements ApiErrorResponse {
  @ApiProperty()
  statusCode!: number;

  @ApiProperty({ type: ErrorBodyDto })
  error!: ErrorBodyDto;
}
