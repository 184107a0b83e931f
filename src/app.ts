// Builds the Fastify app: problem+json errors, persistence (Prisma + live VMs), Swagger UI,
// and every route of openapi.yaml. server.ts listens; tests call build() directly.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DEFAULT_DATABASE_URL } from './db/prisma.js';
import docs from './plugins/docs.js';
import { loadOpenApiDocument } from './plugins/openapi-document.js';
import openapiRoutes from './plugins/openapi-routes.js';
import persistence from './plugins/persistence.js';
import problem from './plugins/problem.js';
import { handlers } from './routes/index.js';
import type { VmLimits } from './sim/index.js';

export interface BuildOptions {
  /** SQLite URL, "file:<path>"; the database must be migrated. */
  databaseUrl?: string;
  logger?: FastifyServerOptions['logger'];
  /** Largest accepted request body in bytes (larger: 413). */
  bodyLimit?: number;
  /** VMs one server may hold (more: 429). */
  maxVms?: number;
  /** Engine limits per VM (page-table bytes, vCPUs, memslots). */
  limits?: Partial<VmLimits>;
  /** Replay waits for this promise first (tests only). */
  replayGate?: Promise<unknown>;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;
export const DEFAULT_MAX_VMS = 256;

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered (method + URL), to compare with openapi.yaml. */
    registeredRoutes: { method: string; url: string }[];
  }
}

export async function build(options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Routes and validation come from openapi.yaml (see plugins/openapi-routes.ts).
    ajv: { customOptions: { removeAdditional: false } },
  });
  const registered: { method: string; url: string }[] = [];
  app.decorate('registeredRoutes', registered);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push({ method, url: route.url });
  });

  const openapi = loadOpenApiDocument();
  await app.register(problem);
  await app.register(persistence, {
    databaseUrl: options.databaseUrl ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    maxVms: options.maxVms ?? DEFAULT_MAX_VMS,
    limits: options.limits,
    replayGate: options.replayGate,
  });
  await app.register(docs, { document: openapi.document });
  await app.register(openapiRoutes, { document: openapi.document, handlers: handlers(openapi) });
  return app;
}
