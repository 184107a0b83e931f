// Fastify's own schema compilers (Ajv for request schemas, fast-json-stringify for response
// schemas), loaded the first time a route needs one rather than when the app is created.
// The routes of openapi.yaml validate with their own compiler (contract/request-validation.ts)
// and no route has a response schema, so a start loads neither package, nor Ajv through them.
// Either is the one Fastify itself would load (resolved from fastify), built with the same
// options. One difference: Fastify leaves a route's `headers` schema as written for a compiler
// given this way, where its built-in one reads the header names case-insensitively; no route
// here has a headers schema.
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<Factories['buildValidator']>;
type SerializerFactory = NonNullable<Factories['buildSerializer']>;

const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

let validators: ValidatorFactory | undefined;
let serializers: SerializerFactory | undefined;

export const lazyCompilersFactory: Factories = {
  buildValidator: (externalSchemas, options) =>
    (validators ??= (fromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)())(externalSchemas, options),
  buildSerializer: (externalSchemas, options) =>
    (serializers ??= (fromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)())(externalSchemas, options),
};
