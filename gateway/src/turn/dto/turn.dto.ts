import { ApiProperty } from '@nestjs/swagger';
import type { IceServer, TurnCredentials } from '@callgate/protocol';

export class IceServerDto implements IceServer {
  @ApiProperty({ type: [String], example: ['turn:turn.example.org:3478?transport=udp'] })
  urls!: string[];

  @ApiProperty({
    example: '1767225600:3f2c8a9e-5b1d-4c7e-9a0f-2d4e6b8c0a1f',
    description: '<unix expiry>:<user id>',
  })
  username!: string;

  @ApiProperty({ description: 'base64(HMAC-SHA1(shared secret, username))' })
  credential!: string;
}

export class TurnCredentialsDto implements TurnCredentials {
  @ApiProperty({ type: [IceServerDto] })
  iceServers!: IceServerDto[];

  @ApiProperty({ description: 'Lifetime in seconds.', example: 3600 })
  ttl!: number;

  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;
}
