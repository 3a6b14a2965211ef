import { WsException } from '@nestjs/websockets';
import { type ErrorBody, ErrorCode } from '@callgate/protocol';

/** A refused socket request; the ack filter turns it into `{ ok: false, error }`. */
export class SignalingError extends WsException {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super({ code, message } satisfies ErrorBody);
  }

  get body(): ErrorBody {
    return { code: this.code, message: this.message };
  }

  static invalid(message: string): SignalingError {
    return new SignalingError(ErrorCode.InvalidPayload, message);
  }

  static forbidden(message: string): SignalingError {
    return new SignalingError(ErrorCode.Forbidden, message);
  }

  static notFound(message: string): SignalingError {
    return new SignalingError(ErrorCode.NotFound, message);
  }

  static conflict(message: string): SignalingError {
    return new SignalingError(ErrorCode.Conflict, message);
  }
}
