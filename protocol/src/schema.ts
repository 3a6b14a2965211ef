/**
 * A small compiled-schema kit for untrusted socket payloads. Each schema is a plain check
 * function built once at import time: no reflection, no class instances, no copy of the
 * value, so it costs a few property reads per message (class-validator and
 * class-transformer were ~14 % of the gateway's busy time, docs/BENCHMARKS.md).
 *
 * The type parameter ties a schema to a contract type: {@link object} demands one entry per
 * property of `T`, so a field added to a payload type fails to compile until its check
 * exists, and a check that accepts something the type does not fails too.
 */

/** A check of one value: `null` when it conforms, else a sentence fragment naming `path`. */
export interface Schema<T> {
  readonly check: (value: unknown, path: string) => string | null;
  /** Never set at run time; carries `T` so schemas and contract types cannot drift. */
  readonly __type?: T;
}

/** What checking a whole payload gives: the value itself (typed) or a sentence. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Runs `schema` on an untrusted top-level payload. */
export function checkPayload<T>(schema: Schema<T>, value: unknown): Checked<T> {
  const problem = schema.check(value, '');
  return problem === null ? { ok: true, value: value as T } : { ok: false, message: `${problem}.` };
}

function describe(path: string): string {
  return path === '' ? 'The payload' : path;
}

/**
 * Upper bound on the UTF-8 size of `value` as the wire counts it, without encoding it:
 * a UTF-16 code unit is at most 3 UTF-8 bytes (a surrogate pair is 4 bytes for 2 units).
 */
export function utf8ByteLength(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

export interface StringRules {
  /** Most UTF-8 bytes. */
  maxBytes?: number;
  /** Most UTF-16 code units (what a person would call characters, near enough). */
  maxLength?: number;
  pattern?: RegExp;
  /** Replaces the default sentence when the value is not a string or misses the pattern. */
  message?: string;
}

export function string(rules: StringRules = {}): Schema<string> {
  const { maxBytes, maxLength, pattern, message } = rules;
  return {
    check: (value, path) => {
      if (typeof value !== 'string') return message ?? `${describe(path)} must be a string`;
      if (maxLength !== undefined && value.length > maxLength)
        return `${describe(path)} must be at most ${maxLength} characters`;
      // Cheap bounds first: a string is at least `length` and at most 3 × `length` bytes.
      if (
        maxBytes !== undefined &&
        value.length * 3 > maxBytes &&
        (value.length > maxBytes || utf8ByteLength(value) > maxBytes)
      )
        return `${describe(path)} must be at most ${maxBytes} bytes`;
      if (pattern !== undefined && !pattern.test(value))
        return message ?? `${describe(path)} has the wrong format`;
      return null;
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id the gateway issued (users and calls are UUIDs). */
export function uuid(message: string): Schema<string> {
  return string({ pattern: UUID, message });
}

export function integer(min: number, max: number): Schema<number> {
  return {
    check: (value, path) =>
      typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
        ? null
        : `${describe(path)} must be an integer from ${min} to ${max}`,
  };
}

export function boolean(): Schema<boolean> {
  return {
    check: (value, path) =>
      typeof value === 'boolean' ? null : `${describe(path)} must be true or false`,
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Schema<T> {
  const allowed = new Set<string>(values);
  return {
    check: (value, path) =>
      typeof value === 'string' && allowed.has(value)
        ? null
        : `${describe(path)} must be one of ${values.join(', ')}`,
  };
}

/** The key may be absent (socket.io's JSON cannot carry `undefined`). */
export function optional<T>(schema: Schema<T>): Schema<T | undefined> {
  return { check: (value, path) => (value === undefined ? null : schema.check(value, path)) };
}

export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return { check: (value, path) => (value === null ? null : schema.check(value, path)) };
}

/** A JSON array of at most `maxItems` entries, each checked by `item`. */
export function arrayOf<T>(
  item: Schema<T>,
  rules: { maxItems: number; message: string },
): Schema<T[]> {
  return {
    check: (value, path) => {
      if (!Array.isArray(value)) return `${describe(path)} must be a list`;
      if (value.length > rules.maxItems) return rules.message;
      for (let index = 0; index < value.length; index++) {
        const problem = item.check(value[index], `${path}[${index}]`);
        if (problem !== null) return problem;
      }
      return null;
    },
  };
}

/**
 * One schema per property of `T`, optional properties included (they must accept
 * `undefined`, required ones must not).
 */
export type Shape<T> = {
  readonly [K in keyof T]-?: Schema<
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{}` is how TypeScript spells "K is optional"
    {} extends Pick<T, K> ? T[K] | undefined : T[K]
  >;
};

/**
 * A JSON object with exactly the properties of `shape`: unknown keys are refused (as
 * class-validator's `forbidNonWhitelisted` did), so nothing unchecked reaches a handler.
 * `refine` adds a rule across properties.
 */
export function object<T extends object>(
  shape: Shape<T>,
  refine?: (value: T) => string | null,
): Schema<T> {
  const entries = Object.entries<Schema<unknown>>(shape);
  return {
    check: (value, path) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return `${describe(path)} must be a JSON object`;
      const prefix = path === '' ? '' : `${path}.`;
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape, key)) return `${prefix}${key} should not exist`;
      }
      const record = value as Record<string, unknown>;
      for (const [key, schema] of entries) {
        const problem = schema.check(record[key], `${prefix}${key}`);
        if (problem !== null) return problem;
      }
      return refine === undefined ? null : refine(value as T);
    },
  };
}
