// Liveness, readiness, and the OpenAPI document itself.
import type { LoadedDocument } from '../contract/openapi-document.js';
import { ServiceError } from '../service/errors.js';
import type { Handlers } from './handler.js';

export function serviceHandlers(openapi: LoadedDocument) {
  return {
    healthz: async () => ({ status: 'ok' }),

    readyz: async (request) => {
      const store = request.server.liveVms;
      const notReady = store.startup.notReady();
      if (notReady) throw notReady;
      await store.ping().catch((error: Error) => {
        throw new ServiceError(503, 'not-ready', `the database is unreachable: ${error.message}`);
      });
      return { status: 'ready', vms: store.count };
    },

    getMetrics: async (request, reply) => {
      const { contentType, text } = await request.server.metrics.scrape();
      return reply.type(contentType).send(text);
    },

    getOpenApiYaml: async (_request, reply) => reply.type('application/yaml; charset=utf-8').send(openapi.text),

    getOpenApiJson: async () => openapi.document,
  } satisfies Partial<Handlers>;
}
