// Ajv for request validation: OpenAPI 3.1 schemas are JSON Schema 2020-12. Bodies are
// checked as sent (no coercion, unknown fields kept so additionalProperties: false
// rejects them); path and query strings are coerced to the documented types.
import type { FastifySchemaCompiler } from 'fastify';
import { Ajv2020, type Options } from 'ajv/dist/2020.js';

const common: Options = {
  removeAdditional: false,
  allErrors: false,
  useDefaults: false, // the engine fills defaults (withVmDefaults); the document only describes them
  strict: true,
  verbose: true, // errors carry parentSchema, used to phrase u64 problems
};

export function requestValidatorCompiler(): FastifySchemaCompiler<Record<string, unknown>> {
  const bodyAjv = new Ajv2020({ ...common, coerceTypes: false });
  const stringAjv = new Ajv2020({ ...common, coerceTypes: true });
  return ({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : stringAjv).compile(schema);
}
