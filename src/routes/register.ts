// Registers every operation of openapi.yaml as a Fastify route, with the request schemas
// taken from the document, and binds it to the handler of the same operationId. The
// document and the handlers map must match exactly, or the app refuses to start.
import type { FastifyInstance } from 'fastify';
import { routeSpecs, type OpenApiDocument } from '../contract/openapi-document.js';
import { requestValidatorCompiler } from '../contract/request-validation.js';
import type { Handler } from './parse.js';

export interface OpenApiRoutesOptions {
  document: OpenApiDocument;
  handlers: Record<string, Handler>;
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

export default async function openapiRoutes(app: FastifyInstance, { document, handlers }: OpenApiRoutesOptions) {
  const specs = routeSpecs(document);
  checkHandlersMatch(
    specs.map((s) => s.operationId),
    Object.keys(handlers),
  );
  app.setValidatorCompiler(requestValidatorCompiler());
  for (const spec of specs) {
    const handler = handlers[spec.operationId]!;
    app.route({
      method: spec.method,
      url: spec.url,
      schema: spec.schema,
      config: { operationId: spec.operationId },
      handler: async (request, reply) => {
        reply.code(spec.successStatus); // the document's 2xx; a handler may still choose another
        return handler(request, reply);
      },
    });
  }
}
