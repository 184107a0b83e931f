// Ajv for request validation: OpenAPI 3.1 schemas are JSON Schema 2020-12. Bodies are
// checked as sent (no coercion, unknown fields kept so additionalProperties: false
// rejects them); path and query strings are coerced to the documented types.
import type { FastifySchemaCompiler } from 'fastify';
import { Ajv2020, type ErrorObject, type Options } from 'ajv/dist/2020.js';

const common: Options = {
  removeAdditional: false,
  allErrors: false,
  useDefaults: false, // the engine fills defaults (withVmDefaults); the document only describes them
  strict: true,
  verbose: true, // errors carry parentSchema, used to phrase u64 problems
};

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * Ajv coerces "1e309" or "Infinity" to ±Infinity, accepts that as an integer and skips
 * minimum/maximum for it (a non-finite number); path and query values must be finite.
 */
function finiteOnly(validate: Validate): Validate {
  const checked: Validate = (data) => {
    if (!validate(data)) {
      checked.errors = validate.errors;
      return false;
    }
    for (const [key, value] of Object.entries((data ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        checked.errors = [
          { instancePath: `/${key}`, schemaPath: '#/type', keyword: 'type', params: { type: 'integer' }, message: 'must be a finite number' },
        ];
        return false;
      }
    }
    checked.errors = null;
    return true;
  };
  return checked;
}

export function requestValidatorCompiler(): FastifySchemaCompiler<Record<string, unknown>> {
  const bodyAjv = new Ajv2020({ ...common, coerceTypes: false });
  const stringAjv = new Ajv2020({ ...common, coerceTypes: true });
  return ({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv.compile(schema) : finiteOnly(stringAjv.compile(schema)));
}
