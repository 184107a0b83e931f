// Builds the Fastify app: problem+json errors, persistence (Prisma + live VMs, group
// commits), bearer tokens, rate limiting, Swagger UI, and every route of openapi.yaml.
// server.ts listens (with src/config.ts read from the environment); tests call build() directly.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DEFAULT_CONFIG, type ClusterConfig, type RateLimitConfig, type SqliteSynchronous } from './config.js';
import { loadOpenApiDocument } from './contract/openapi-document.js';
import { documentedMethods } from './contract/path-methods.js';
import auth from './plugins/app/auth.js';
import gracefulClose from './plugins/app/graceful-close.js';
import labs from './plugins/app/labs.js';
import metrics from './plugins/app/metrics.js';
import persistence from './plugins/app/persistence.js';
import problem, { clientErrorHandler, frameworkErrors } from './plugins/app/problem.js';
import { OneLineRequestLog } from './plugins/app/request-log.js';
import requestTarget from './plugins/app/request-target.js';
import docs from './plugins/external/docs.js';
import rateLimiting from './plugins/external/rate-limit.js';
import staticFiles from './plugins/external/static.js';
import { handlers } from './routes/index.js';
import openapiRoutes from './routes/register.js';
import type { QueueBounds } from './service/bounded-queue.js';
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
  /** Per-client rate limit of every route but the open ones; max 0 turns it off. */
  rateLimit?: RateLimitConfig;
  /** sha256 (hex) of the accepted bearer tokens; none: the server runs open. */
  apiTokenHashes?: readonly string[];
  /** sha256 (hex) of the teachers' tokens (answer keys, everyone's progress). */
  teacherTokenHashes?: readonly string[];
  /** Display names of tokens (sha256 hex -> name): teachers see a student's work under it. */
  tokenNames?: ReadonlyMap<string, string>;
  /** The folder of lab files (default: the bundled labs/). */
  labsDir?: string;
  /** sha256 (hex) of the token /metrics needs; none: /metrics is open. */
  metricsTokenHash?: string;
  sqliteSynchronous?: SqliteSynchronous;
  /** Engine worker threads; 0: every VM on the main thread (default: one per core). */
  workers?: number;
  /** Nice value of the engine worker threads (default 5). */
  workerNice?: number;
  /** Calls queued per VM / per engine worker before 503 + Retry-After. */
  queueBounds?: Partial<QueueBounds>;
  /** Tests only: an operation with this gpa crashes its engine worker. */
  crashOnGpa?: string;
  /** Replay waits for this promise first (tests only). */
  replayGate?: Promise<unknown>;
  /** Cluster mode (PostgreSQL, several instances): this instance's identity and lease timing. */
  cluster?: ClusterConfig;
  /** A request's headers and body must arrive within this (else 408, connection closed). */
  requestTimeoutMs?: number;
  /** A closing, listening server answers 503 on open connections for up to this long first. */
  shutdownDrainMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered (method + URL), to compare with openapi.yaml. */
    registeredRoutes: { method: string; url: string }[];
  }
}

export async function build(options: BuildOptions = {}): Promise<FastifyInstance> {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_CONFIG.requestTimeoutMs;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_CONFIG.bodyLimit,
    // Routes and validation come from openapi.yaml (see routes/register.ts).
    ajv: { customOptions: { removeAdditional: false } },
    frameworkErrors,
    clientErrorHandler,
    logController: new OneLineRequestLog(),
    // Headers and body within requestTimeout (Node checks every connectionsCheckingInterval,
    // 30 s by default: too coarse for a timeout of a few seconds).
    requestTimeout,
    http: { headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) },
    // plugins/app/graceful-close.ts answers calls during close (problem+json, Retry-After).
    return503OnClosing: false,
  });
  const registered: { method: string; url: string }[] = [];
  app.decorate('registeredRoutes', registered);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registered.push({ method, url: route.url });
  });

  const openapi = loadOpenApiDocument();
  await app.register(problem, { methodsOf: documentedMethods(openapi.document) });
  await app.register(requestTarget);
  await app.register(gracefulClose, { drainMs: options.shutdownDrainMs ?? DEFAULT_CONFIG.shutdownDrainMs });
  await app.register(persistence, {
    databaseUrl: options.databaseUrl ?? DEFAULT_CONFIG.databaseUrl,
    maxVms: options.maxVms ?? DEFAULT_CONFIG.maxVms,
    maxOperationsPerVm: options.maxOperationsPerVm ?? DEFAULT_CONFIG.maxOperationsPerVm,
    limits: { ...DEFAULT_CONFIG.limits, ...options.limits },
    sqliteSynchronous: options.sqliteSynchronous ?? DEFAULT_CONFIG.sqliteSynchronous,
    engine: {
      workers: options.workers ?? DEFAULT_CONFIG.workers,
      nice: options.workerNice ?? DEFAULT_CONFIG.workerNice,
      ...(options.crashOnGpa !== undefined && { crashOnGpa: options.crashOnGpa }),
    },
    queueBounds: { ...DEFAULT_CONFIG.queueBounds, ...options.queueBounds },
    replayGate: options.replayGate,
    lease: options.cluster && { owner: options.cluster.instanceId, address: options.cluster.advertisedUrl, ttlMs: options.cluster.leaseTtlMs },
    postgres: options.cluster && {
      limits: options.cluster.sessionLimits,
      applicationName: `prefault-lab ${options.cluster.instanceId}`,
      stopInGroupOnGpa: options.cluster.testStopInGroupOnGpa,
    },
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
  await app.register(metrics, { shards: () => app.engineHost.stats(), queues: (slots) => app.vmStore.queueDepths(slots) });
  const tokenHashes = options.apiTokenHashes ?? DEFAULT_CONFIG.apiTokenHashes;
  const teacherTokenHashes = options.teacherTokenHashes ?? DEFAULT_CONFIG.teacherTokenHashes;
  await app.register(auth, { tokenHashes, teacherTokenHashes, metricsTokenHash: options.metricsTokenHash });
  await app.register(rateLimiting, options.rateLimit ?? DEFAULT_CONFIG.rateLimit);
  await app.register(docs, { document: openapi.document, tokensRequired: tokenHashes.length + teacherTokenHashes.length > 0 });
  await app.register(labs, {
    tokenNames: options.tokenNames ?? DEFAULT_CONFIG.tokenNames,
    studentTokenHashes: tokenHashes,
    ...(options.labsDir !== undefined && { labsDir: options.labsDir }),
  });
  await app.register(staticFiles);
  await app.register(openapiRoutes, { document: openapi.document, handlers: handlers(openapi) });
  return app;
}
