import { type ValidationError, registerDecorator, type ValidationOptions } from 'class-validator';
import { UNSAFE_TEXT_PATTERN } from '@callgate/protocol';

/** Flattens class-validator errors (nested too) into one human sentence. */
export function describeValidationErrors(errors: readonly ValidationError[], parent = ''): string {
  const messages: string[] = [];
  const walk = (list: readonly ValidationError[], prefix: string): void => {
    for (const error of list) {
      const path = prefix === '' ? error.property : `${prefix}.${error.property}`;
      for (const message of Object.values(error.constraints ?? {})) {
        // class-validator messages start with the property name; prefix the parent path.
        messages.push(prefix === '' ? message : `${prefix}.${message}`);
      }
      walk(error.children ?? [], path);
    }
  };
  walk(errors, parent);
  return messages.length === 0 ? 'The request body is not valid.' : messages.join('; ') + '.';
}

/** Upper bound on the UTF-8 encoded size of a string, as the wire counts it. */
export function MaxUtf8Bytes(limit: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'maxUtf8Bytes',
      target: target.constructor,
      propertyName: propertyName.toString(),
      constraints: [limit],
      options: { message: `$property must be at most ${limit} bytes`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= limit,
      },
    });
  };
}

/** Refuses control and bidi-override characters ({@link UNSAFE_TEXT_PATTERN}), naming the field. */
export function NoUnsafeCharacters(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'noUnsafeCharacters',
      target: target.constructor,
      propertyName: propertyName.toString(),
      options: {
        message: '$property must not contain control or bidirectional-override characters',
        ...options,
      },
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !UNSAFE_TEXT_PATTERN.test(value),
      },
    });
  };
}
