// Swagger UI at /docs over the hand-written document (@fastify/swagger static mode: it
// serves the document as written and generates nothing).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { OpenApiDocument } from '../../contract/openapi-document.js';

/**
 * The document Swagger UI shows: as written when tokens are on; without the bearer scheme
 * when the server runs open, so no operation carries a padlock nor the page an "Authorize".
 */
function documentForUi(document: OpenApiDocument, tokensRequired: boolean): OpenApiDocument {
  if (tokensRequired) return document;
  const { security: _security, ...rest } = document as OpenApiDocument & { security?: unknown };
  const components = { ...(rest as { components?: Record<string, unknown> }).components };
  delete components.securitySchemes;
  return { ...rest, components } as OpenApiDocument;
}

export default fp(
  async function docs(app: FastifyInstance, { document, tokensRequired }: { document: OpenApiDocument; tokensRequired: boolean }) {
    await app.register(swagger, { mode: 'static', specification: { document: documentForUi(document, tokensRequired) as never } });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true, tryItOutEnabled: true },
    });
  },
  { name: 'docs' },
);
