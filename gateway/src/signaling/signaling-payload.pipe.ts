import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { describeValidationErrors } from '../common/validation';
import { CallgateError } from '../common/callgate-error';
import { SignalDto } from './dto/signaling.dto';

/**
 * Validates every socket payload against its DTO class; anything else (unknown fields,
 * wrong types, oversize SDP/candidates) is refused with `invalid_payload`.
 */
@Injectable()
export class SignalingPayloadPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype;
    if (metadata.type !== 'body' || metatype === undefined || metatype === Object) return value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw CallgateError.invalidPayload('The payload must be a JSON object.');
    }
    const instance: object = plainToInstance(metatype as new () => object, value);
    const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) throw CallgateError.invalidPayload(describeValidationErrors(errors));
    if (
      instance instanceof SignalDto &&
      instance.description === undefined &&
      instance.candidate === undefined
    ) {
      throw CallgateError.invalidPayload('A signal must carry a description or a candidate.');
    }
    return instance;
  }
}
