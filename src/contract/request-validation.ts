// Ajv for request validation: OpenAPI 3.1 schemas are JSON Schema 2020-12. Bodies are
// checked as sent (no coercion, unknown fields kept so additionalProperties: false
// rejects them); path and query strings are coerced to the documented types, integers
// only from plain decimal. Every string (and property name) of a request must be text
// both stores can hold: no NUL, no unpaired UTF-16 surrogate.
import type { FastifySchemaCompiler } from 'fastify';
import type { Ajv2020, ErrorObject, Options } from 'ajv/dist/2020.js';
import { loadAjv2020 } from './load-ajv.js';

const common = {
  removeAdditional: false,
  allErrors: false,
  useDefaults: false, // the engine fills defaults (withVmDefaults); the document only describes them
  strict: true,
  verbose: true, // errors carry parentSchema, used to phrase u64 problems
} satisfies Options;

/** Ajv's options for each kind of request part (scripts/build.mjs precompiles with the same). */
export const REQUEST_AJV_OPTIONS = {
  body: { ...common, coerceTypes: false },
  string: { ...common, coerceTypes: true },
} satisfies Record<string, Options>;
export type RequestPartKind = keyof typeof REQUEST_AJV_OPTIONS;

/** Bodies are JSON as sent; path parameters and query strings are text to coerce. */
export const requestPartKind = (httpPart: string | undefined): RequestPartKind => (httpPart === 'body' ? 'body' : 'string');

/** A validator built ahead of time for a schema, if there is one (see precompiled-validators.ts). */
export type PrecompiledValidator = (kind: RequestPartKind, schema: Record<string, unknown>) => Validate | undefined;

export type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
type Schema = Record<string, unknown>;

const invalid = (path: string[], message: string, keyword: string): ErrorObject => ({
  instancePath: path.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''),
  schemaPath: `#/${keyword}`,
  keyword,
  params: {},
  message,
});

/** Canonical decimal: Ajv's coercion alone also reads " 1" as 1, "0x10" as 16, "1e2" as 100. */
const DECIMAL = /^(0|-?[1-9][0-9]*)$/;

/** The first path or query parameter documented as an integer but not written as a plain decimal one. */
function integerSpellingError(data: unknown, schema: Schema): ErrorObject | undefined {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [key, value] of Object.entries((data ?? {}) as Record<string, unknown>)) {
    if (properties[key]?.type !== 'integer' || typeof value !== 'string') continue;
    if (!DECIMAL.test(value) || !Number.isSafeInteger(Number(value)))
      return invalid([key], 'must be an integer in plain decimal (digits only: no spaces, +, exponent, leading zero or 0x)', 'type');
  }
  return undefined;
}

// PostgreSQL text cannot hold NUL, and an unpaired surrogate has no UTF-8 form (Prisma's
// query encoder fails on it): both would be a 500 from the store, so no request may carry them.
// eslint-disable-next-line no-control-regex -- NUL is what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_MESSAGE = 'must not contain NUL or an unpaired UTF-16 surrogate';

/** Where a value sits in the request: a linked list up to the root, made into a path only for an error. */
interface Place {
  key: string;
  parent: Place | undefined;
}

const pathOf = (place: Place | undefined): string[] => {
  const path: string[] = [];
  for (let p = place; p; p = p.parent) path.unshift(p.key);
  return path;
};

/**
 * The first string or property name that cannot be stored as text. Iterative (a valid body
 * may still nest deeply), and on every request's path: no path is built unless one is refused.
 */
function unstorableStringError(data: unknown): ErrorObject | undefined {
  const pending: [unknown, Place | undefined][] = [[data, undefined]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, place] = next;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return invalid(pathOf(place), UNSTORABLE_MESSAGE, 'pattern');
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => pending.push([item, { key: String(i), parent: place }]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (UNSTORABLE.test(key)) return invalid(pathOf({ key, parent: place }), `is a property name that ${UNSTORABLE_MESSAGE}`, 'propertyNames');
        pending.push([item, { key, parent: place }]);
      }
    }
  }
  return undefined;
}

/** Ajv's validation with checks before it (on the raw data) and after it. */
function withChecks(validate: Validate, before: (data: unknown) => ErrorObject | undefined): Validate {
  const checked: Validate = (data) => {
    const error = before(data) ?? (validate(data) ? unstorableStringError(data) : undefined);
    if (error) checked.errors = [error];
    else checked.errors = validate.errors;
    return !checked.errors;
  };
  return checked;
}

/**
 * Fastify's validator compiler. A schema the build precompiled is not compiled again: Ajv
 * compiling every route's schemas was the largest part of a start's CPU. Ajv is loaded, and its
 * instances made, only for a schema that needs them (always, run from the sources).
 */
export function requestValidatorCompiler(precompiled: PrecompiledValidator = () => undefined): FastifySchemaCompiler<Record<string, unknown>> {
  const ajv: Partial<Record<RequestPartKind, Ajv2020>> = {};
  return ({ schema, httpPart }) => {
    const kind = requestPartKind(httpPart);
    const validate = precompiled(kind, schema) ?? (ajv[kind] ??= new (loadAjv2020())(REQUEST_AJV_OPTIONS[kind])).compile(schema);
    return withChecks(validate, kind === 'body' ? () => undefined : (data) => integerSpellingError(data, schema));
  };
}
