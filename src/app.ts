// Builds the Fastify app: problem+json errors, persistence (Prisma + live VMs, group
// commits), bearer tokens, rate limiting, Swagger UI, and every route of openapi.yaml.
// server.ts listens (with src/config.ts read from the environment); tests call build() directly.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ServiceConfig } from './config.js';
import { loadOpenApiDocument } from './contract/openapi-document.js';
import { documentedMethods } from './contract/path-methods.js';
import auth from './plugins/app/auth.js';
import gracefulClose from './plugins/app/graceful-close.js';
import labs from './plugins/app/labs.js';
import { lazyCompilersFactory } from './plugins/app/lazy-compilers.js';
import metrics from './plugins/app/metrics.js';
import persistence, { type PersistenceSeams } from './plugins/app/persistence.js';
import problem, { clientErrorHandler, frameworkErrors } from './plugins/app/problem.js';
import { OneLineRequestLog } from './plugins/app/request-log.js';
import requestTarget from './plugins/app/request-target.js';
import docs from './plugins/external/docs.js';
import rateLimiting from './plugins/external/rate-limit.js';
import staticFiles from './plugins/external/static.js';
import { handlers } from './routes/index.js';
import openapiRoutes from './routes/register.js';

/** Hooks only tests set (production passes none): they never travel as settings. */
export interface TestSeams extends PersistenceSeams {
  /** Fastify's logger; default: one at config.logLevel (tests pass false). */
  logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered (method + URL), to compare with openapi.yaml. */
    registeredRoutes: { method: string; url: string }[];
  }
}

/** The app for `config` (src/config.ts fills its defaults); `seams`: tests only. */
export async function build(config: ServiceConfig, seams: TestSeams = {}): Promise<FastifyInstance> {
  const { logger = { level: config.logLevel }, ...persistenceSeams } = seams;
  const requestTimeout = config.requestTimeoutMs;
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimit,
    // Routes and validation come from openapi.yaml (see routes/register.ts).
    ajv: { customOptions: { removeAdditional: false } },
    schemaController: { compilersFactory: lazyCompilersFactory },
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
  await app.register(gracefulClose, { drainMs: config.shutdownDrainMs });
  await app.register(persistence, { config, seams: persistenceSeams });
  if (config.cluster) {
    const c = config.cluster;
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
  await app.register(metrics, {
    engineWorkers: () => app.engineHost.stats(),
    queues: (workers) => app.liveVms.queueDepths(workers),
    ready: () => app.liveVms.startup.ready,
  });
  const { apiTokenHashes: tokenHashes, teacherTokenHashes } = config;
  await app.register(auth, { tokenHashes, teacherTokenHashes, metricsTokenHash: config.metricsTokenHash });
  await app.register(rateLimiting, config.rateLimit);
  await app.register(docs, { document: openapi.document, tokensRequired: tokenHashes.length + teacherTokenHashes.length > 0 });
  await app.register(labs, {
    tokenNames: config.tokenNames,
    studentTokenHashes: tokenHashes,
    ...(config.labsDir !== undefined && { labsDir: config.labsDir }),
  });
  await app.register(staticFiles);
  await app.register(openapiRoutes, { document: openapi.document, handlers: handlers(openapi) });
  return app;
}
