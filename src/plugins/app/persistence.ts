// Owns the database, the engine host and the live VMs for the app's lifetime: opens the
// store (Prisma for reads, a LogWriter for group commits: SQLite or PostgreSQL), rebuilds the VMs in the
// background once the app is ready (readyz says when), holds /v1 calls until then, and on
// close (after Fastify has finished the in-flight requests) drains the queues, commits the
// last group, closes the engine host and both connections.
import type { PrismaClient } from '@prisma/client';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ServiceConfig } from '../../config.js';
import { routeAccess } from '../../contract/route-access.js';
import type { LeasePools } from '../../db/lease-store.js';
import { openStore } from '../../db/open-store.js';
import type { LogWriterSeams } from '../../db/postgres-log-writer.js';
import { VmRepository } from '../../db/vm-repository.js';
import type { EngineWorkerReport } from '../../service/engine/engine-worker-stats.js';
import { createEngineHost } from '../../service/engine/create-engine-host.js';
import type { EngineSeams } from '../../service/engine/worker-protocol.js';
import { LiveVms } from '../../service/live-vms.js';

declare module 'fastify' {
  interface FastifyInstance {
    liveVms: LiveVms;
    /** The engine host's workers, for /metrics. */
    engineHost: EngineWorkerReport;
    /** The Prisma client, for other plugins' own tables (the VM log is written by LogWriter). */
    prisma: PrismaClient;
    /** PostgreSQL stores: the lease connections (cluster mode); undefined on SQLite. */
    leasePools: LeasePools | undefined;
  }
}

/** Hooks only tests set: the engine's and the log writer's, and a gate start-up replay waits for. */
export interface PersistenceSeams extends EngineSeams, LogWriterSeams {
  /** Replay waits for this promise first (tests use it to observe readyz before replay). */
  replayGate?: Promise<unknown>;
}

interface PersistenceOptions {
  config: ServiceConfig;
  seams: PersistenceSeams;
}

export default fp(
  async function persistence(app: FastifyInstance, { config, seams }: PersistenceOptions) {
    const { cluster } = config;
    const { prisma, writer, leasePools, migrated, close } = await openStore(
      config.databaseUrl,
      {
        sqliteSynchronous: config.sqliteSynchronous,
        onCheckpointError: (message) => app.log.warn({ message }, 'WAL checkpoint failed'),
        postgres: {
          ...(cluster && { limits: cluster.sessionLimits, applicationName: `prefault-lab ${cluster.instanceId}` }),
          onConnectionError: (error) => app.log.warn({ err: error }, 'database session lost; it is reopened on next use'),
        },
      },
      seams,
    );
    if (migrated.length > 0) app.log.info({ migrations: migrated }, 'database migrated');
    // A dead worker's VMs go back to the store, which rebuilds them from their logs.
    const host = createEngineHost(
      { workers: config.workers, nice: config.workerNice, onLost: (vmIds, error) => store.enginesLost(vmIds, error) },
      seams,
    );
    const store: LiveVms = new LiveVms(new VmRepository(prisma), writer, host, {
      maxVms: config.maxVms,
      maxOperationsPerVm: config.maxOperationsPerVm,
      limits: config.limits,
      log: app.log,
      lease: cluster && { owner: cluster.instanceId, address: cluster.advertisedUrl, ttlMs: cluster.leaseTtlMs },
      queueBounds: config.queueBounds,
      workerOf: (vmId) => host.workerOf(vmId),
    });
    app.decorate('engineHost', host);
    app.decorate('liveVms', store);
    app.decorate('prisma', prisma);
    app.decorate('leasePools', leasePools);
    app.addHook('onReady', async () => {
      void store.startup.start(seams.replayGate);
    });
    // Not async: once loaded (every request but the first few) this costs no promise. Held:
    // the routes that need a token when tokens are on (decided on the matched route).
    app.addHook('onRequest', (request, _reply, done) => {
      if (store.startup.ready || routeAccess(request.routeOptions) !== 'api') return done();
      store.startup.whenLoaded().then(
        () => done(),
        (error: Error) => done(error as FastifyError),
      );
    });
    app.addHook('onClose', async () => {
      try {
        await store.drain();
      } finally {
        await close();
      }
    });
  },
  { name: 'persistence' },
);
