// Compiles the request validators of every route in openapi.yaml as Ajv standalone code, one
// module per kind of request part (scripts/build.mjs writes them into dist/contract/, where
// precompiled-validators.ts finds them). Same schemas as routes/register.ts gives Fastify
// (routeSpecs), same options as request-validation.ts compiles with at run time.
import { Ajv2020 } from 'ajv/dist/2020.js';
import standalone from 'ajv/dist/standalone/index.js';
import { routeSpecs, type OpenApiDocument } from './openapi-document.js';
import { VALIDATOR_FILES, validatorKey } from './precompiled-validators.js';
import { REQUEST_AJV_OPTIONS, requestPartKind, type RequestPartKind } from './request-validation.js';

/** The standalone code of each kind's validators, by the file name precompiled-validators.ts loads it from. */
export function precompileValidators(document: OpenApiDocument): Record<string, string> {
  const ajv = {
    body: new Ajv2020({ ...REQUEST_AJV_OPTIONS.body, code: { source: true } }),
    string: new Ajv2020({ ...REQUEST_AJV_OPTIONS.string, code: { source: true } }),
  };
  const exported: Record<RequestPartKind, Record<string, string>> = { body: {}, string: {} };
  for (const spec of routeSpecs(document)) {
    for (const [part, schema] of Object.entries(spec.schema)) {
      const kind = requestPartKind(part);
      const key = validatorKey(kind, schema);
      if (key in exported[kind]) continue;
      ajv[kind].addSchema(schema, key);
      exported[kind][key] = key;
    }
  }
  // A CommonJS module: its default import is the module, whose `default` is the function.
  const standaloneCode = standalone.default;
  return { [VALIDATOR_FILES.body]: standaloneCode(ajv.body, exported.body), [VALIDATOR_FILES.string]: standaloneCode(ajv.string, exported.string) };
}
