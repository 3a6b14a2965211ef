import { Injectable, ValidationPipe } from '@nestjs/common';
import { CallgateError } from './callgate-error';
import { describeValidationErrors } from './validation';

/**
 * REST body/query validation: unknown fields are rejected, failures become
 * `invalid_payload` 400s. Applied per controller, not globally: global pipes would also
 * run on socket handlers, which have their own pipe and error channel (acks).
 */
@Injectable()
export class RestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => CallgateError.invalidPayload(describeValidationErrors(errors)),
    });
  }
}
