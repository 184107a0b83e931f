// Registers every operation of openapi.yaml as a Fastify route, with the request schemas
// taken from the document, and binds it to the handler of the same operationId. The
// document and the handlers map must match exactly, or the app refuses to start.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { routeSpecs, type OpenApiDocument } from '../contract/openapi-document.js';
import { precompiledValidators } from '../contract/precompiled-validators.js';
import { requestValidatorCompiler } from '../contract/request-validation.js';
import type { OperationId } from '../contract/operation-types.js';
import type { Handlers } from './handler.js';

export interface OpenApiRoutesOptions {
  document: OpenApiDocument;
  handlers: Handlers;
}

export function checkHandlersMatch(operationIds: string[], handlerIds: string[]): void {
  const missing = operationIds.filter((id) => !handlerIds.includes(id));
  const orphaned = handlerIds.filter((id) => !operationIds.includes(id));
  const problems = [
    ...missing.map((id) => `operation ${id} in openapi.yaml has no handler`),
    ...orphaned.map((id) => `handler ${id} has no operation in openapi.yaml`),
  ];
  if (problems.length > 0) throw new Error(`openapi.yaml and src/routes disagree:\n  ${problems.join('\n  ')}`);
}

// Only a body left out reads as {}: a JSON `null` sent is validated as sent (a 400, not an object).
const emptyBodyAsObject = async (request: { body: unknown }): Promise<void> => {
  if (request.body === undefined) request.body = {};
};

export default async function openapiRoutes(app: FastifyInstance, { document, handlers }: OpenApiRoutesOptions) {
  const specs = routeSpecs(document);
  checkHandlersMatch(
    specs.map((s) => s.operationId),
    Object.keys(handlers),
  );
  app.setValidatorCompiler(requestValidatorCompiler(precompiledValidators()));
  for (const spec of specs) {
    // The document's operation: checkHandlersMatch proved the id is a handler's, and Ajv
    // validates the request against the same schemas the handler's types come from.
    const handler = handlers[spec.operationId as OperationId] as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
    app.route({
      method: spec.method,
      url: spec.url,
      schema: spec.schema,
      config: { operationId: spec.operationId },
      // An optional body left out is validated (and handled) as {}.
      preValidation: spec.optionalBody ? [emptyBodyAsObject] : [],
      handler: async (request, reply) => {
        reply.code(spec.successStatus); // the document's 2xx; a handler may still choose another
        return handler(request, reply);
      },
    });
  }
}
