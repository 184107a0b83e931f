// Swagger UI at /docs over the hand-written document (@fastify/swagger static mode: it
// serves the document as written and generates nothing).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { OpenApiDocument } from '../../contract/openapi-document.js';

export default fp(
  async function docs(app: FastifyInstance, { document }: { document: OpenApiDocument }) {
    await app.register(swagger, { mode: 'static', specification: { document: document as never } });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true, tryItOutEnabled: true },
    });
  },
  { name: 'docs' },
);
