// Builds the Fastify app: problem+json errors, persistence (Prisma + live VMs, group
// commits), bearer tokens, rate limiting, Swagger UI, and every route of openapi.yaml.
// server.ts listens (with src/config.ts read from the environment); tests call build() directly.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DEFAULT_CONFIG, type ClusterConfig, type RateLimitConfig } from './config.js';
import type { SqliteSynchronous } from './db/sqlite.js';
import auth from './plugins/auth.js';
import cluster from './plugins/cluster.js';
import docs from './plugins/docs.js';
import gracefulClose from './plugins/graceful-close.js';
import labs from './plugins/labs.js';
import { loadOpenApiDocument } from './plugins/openapi-document.js';
import openapiRoutes from './plugins/openapi-routes.js';
import persistence from './plugins/persistence.js';
import problem, { frameworkErrors } from './plugins/problem.js';
import rateLimiting from './plugins/rate-limit.js';
import ui from './plugins/ui.js';
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
  /** Log entries per VM (more: 429). */
  maxOperationsPerVm?: number;
  /** Per-client rate limit of /v1 calls; max 0 turns it off. */
  rateLimit?: RateLimitConfig;
  /** sha256 (hex) of the accepted bearer tokens; none: the server runs open. */
  apiTokenHashes?: readonly string[];
  sqliteSynchronous?: SqliteSynchronous;
  /** Replay waits for this promise first (tests only). */
  replayGate?: Promise<unknown>;
  /** Cluster mode (PostgreSQL, several instances): this instance's identity and lease timing. */
  cluster?: ClusterConfig;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered (method + URL), to compare with openapi.yaml. */
    registeredRoutes: { method: string; url: string }[];
  }
}

export async function build(options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_CONFIG.bodyLimit,
    // Routes and validation come from openapi.yaml (see plugins/openapi-routes.ts).
    ajv: { customOptions: { removeAdditional: false } },
    frameworkErrors,
  });
  const registered: { method: string; url: string }[] = [];
  app.decorate('registeredRoutes', registered);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push({ method, url: route.url });
  });

  const openapi = loadOpenApiDocument();
  await app.register(problem);
  await app.register(gracefulClose);
  await app.register(persistence, {
    databaseUrl: options.databaseUrl ?? DEFAULT_CONFIG.databaseUrl,
    maxVms: options.maxVms ?? DEFAULT_CONFIG.maxVms,
    maxOperationsPerVm: options.maxOperationsPerVm ?? DEFAULT_CONFIG.maxOperationsPerVm,
    limits: { ...DEFAULT_CONFIG.limits, ...options.limits },
    sqliteSynchronous: options.sqliteSynchronous ?? DEFAULT_CONFIG.sqliteSynchronous,
    replayGate: options.replayGate,
    lease: options.cluster && { owner: options.cluster.instanceId, address: options.cluster.advertisedUrl, ttlMs: options.cluster.leaseTtlMs },
  });
  if (options.cluster) {
    const c = options.cluster;
    await app.register(cluster, {
      instanceId: c.instanceId,
      address: c.advertisedUrl,
      ttlMs: c.leaseTtlMs,
      renewMs: c.leaseRenewMs,
      forwardTimeoutMs: c.forwardTimeoutMs,
    });
  }
  await app.register(auth, { tokenHashes: options.apiTokenHashes ?? DEFAULT_CONFIG.apiTokenHashes });
  await app.register(rateLimiting, options.rateLimit ?? DEFAULT_CONFIG.rateLimit);
  await app.register(docs, { document: openapi.document });
  await app.register(labs);
  await app.register(ui);
  await app.register(openapiRoutes, { document: openapi.document, handlers: handlers(openapi) });
  return app;
}
