// Swagger UI at /docs over the hand-written document (@fastify/swagger static mode: it
// serves the document as written and generates nothing). Both packages, and the yaml
// package they load, are loaded at the first request under /docs, not while the server
// starts: they run in an app of their own, built then, and /docs and /docs/* hand each
// request to it and send back its answer (its 404 is this app's own, as when they ran here).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/** Swagger UI's app: the two plugins, registered as they were in this one. */
async function swaggerUiApp(document: OpenApiDocument): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('fastify'),
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ]);
  const ui = Fastify();
  await ui.register(swagger, { mode: 'static', specification: { document: document as never } });
  await ui.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true, tryItOutEnabled: true },
  });
  await ui.ready();
  return ui;
}

/** Headers that belong to one connection, not to the answer. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date']);

export default fp(
  async function docs(app: FastifyInstance, { document, tokensRequired }: { document: OpenApiDocument; tokensRequired: boolean }) {
    let ui: Promise<FastifyInstance> | undefined;
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      // A failed build (a package that would not load) is not kept: the next request tries again.
      ui ??= swaggerUiApp(documentForUi(document, tokensRequired)).catch((err: unknown) => {
        ui = undefined;
        throw err;
      });
      // Always a GET: for a HEAD, this app's own HEAD route keeps the headers and drops the body.
      const res = await (await ui).inject({ method: 'GET', url: request.url, headers: request.headers });
      if (res.statusCode === 404) return reply.callNotFound();
      for (const [name, value] of Object.entries(res.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) reply.header(name, value);
      // An empty answer (a redirect) is sent empty, not as a zero-length application/octet-stream.
      return reply.code(res.statusCode).send(res.rawPayload.length > 0 ? res.rawPayload : undefined);
    };
    app.get('/docs', handler);
    app.get('/docs/*', handler);
    app.addHook('onClose', async () => {
      const built = await ui?.catch(() => undefined);
      await built?.close();
    });
  },
  { name: 'docs' },
);
