import type { PipeTransform } from '@nestjs/common';
import { type ClientEventName, type ClientPayload, checkClientPayload } from '@callgate/protocol';
import { CallgateError } from '../common/callgate-error';

/**
 * Checks one socket event's payload against its compiled schema in `@callgate/protocol`
 * (the contract types are the single source, see protocol/src/signaling-schemas.ts).
 * Anything else — unknown fields, wrong types, oversize SDP or candidates — is refused
 * with `invalid_payload` before a handler runs. The value is passed on as is: no copy.
 *
 * Used per parameter, `@MessageBody(new SignalingPayloadPipe('signal'))`, so the pipe
 * knows its event without reflection.
 */
export class SignalingPayloadPipe<E extends ClientEventName> implements PipeTransform<
  unknown,
  ClientPayload<E>
> {
  constructor(private readonly event: E) {}

  transform(value: unknown): ClientPayload<E> {
    const result = checkClientPayload(this.event, value);
    if (!result.ok) throw CallgateError.invalidPayload(result.message);
    return result.value;
  }
}
