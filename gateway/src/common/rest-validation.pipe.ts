import { ValidationPipe } from '@nestjs/common';
import { ApiError } from './api-error';
import { describeValidationErrors } from './validation';

/** Global REST pipe: unknown fields are rejected, failures become `invalid_payload` 400s. */
export function createRestValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => ApiError.invalidPayload(describeValidationErrors(errors)),
  });
}
