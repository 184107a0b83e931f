// Builds the Fastify app: problem+json errors, persistence (Prisma + live VMs, group
// commits), bearer tokens, rate limiting, Swagger UI, and every route of openapi.yaml.
// server.ts listens (with src/config.ts read from the environment); tests call build() directly.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DEFAULT_CONFIG, type ClusterConfig, type RateLimitConfig, type SqliteSynchronous } from './config.js';
import { loadOpenApiDocument } from './contract/openapi-document.js';
import auth from './plugins/app/auth.js';
import gracefulClose from './plugins/app/graceful-close.js';
import labs from './plugins/app/labs.js';
import persistence from './plugins/app/persistence.js';
import problem, { frameworkErrors } from './plugins/app/problem.js';
import docs from './plugins/external/docs.js';
import rateLimiting from './plugins/external/rate-limit.js';
import staticFiles from './plugins/external/static.js';
import { handlers } from './routes/index.js';
import openapiRoutes from './routes/register.js';
import type { EngineHost } from './service/engine/host.js';
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
  /** Where the engine VMs live (default: in this thread). */
  engineHost?: EngineHost;
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
    // Routes and validation come from openapi.yaml (see routes/register.ts).
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
    engineHost: options.engineHost,
    replayGate: options.replayGate,
    lease: options.cluster && { owner: options.cluster.instanceId, address: options.cluster.advertisedUrl, ttlMs: options.cluster.leaseTtlMs },
  });
  if (options.cluster) {
    const c = options.cluster;
    // Loaded only in cluster mode: a single instance does not pay for the proxy client.
    const { default: cluster } = await import('./plugins/app/cluster.js');
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
  await app.register(staticFiles);
  await app.register(openapiRoutes, { document: openapi.document, handlers: handlers(openapi) });
  return app;
}
