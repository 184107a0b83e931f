// Owns the database, the engine host and the live VMs for the app's lifetime: opens the
// store (Prisma for reads, a LogWriter for group commits: SQLite or PostgreSQL), rebuilds the VMs in the
// background once the app is ready (readyz says when), holds /v1 calls until then, and on
// close (after Fastify has finished the in-flight requests) drains the queues, commits the
// last group, closes the engine host and both connections.
import type { PrismaClient } from '@prisma/client';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { SqliteSynchronous } from '../../config.js';
import { routeAccess } from '../../contract/route-access.js';
import type { LeasePools } from '../../db/lease-store.js';
import type { NewLease } from '../../db/log-writer.js';
import { openStore } from '../../db/open-store.js';
import type { SessionOptions } from '../../db/postgres-log-writer.js';
import { VmRepository } from '../../db/vm-repository.js';
import type { QueueBounds } from '../../service/bounded-queue.js';
import type { ShardedHost } from '../../service/engine/shard-stats.js';
import { createEngineHost, type EngineHostOptions } from '../../service/engine/shards.js';
import { VmStore } from '../../service/vm-store.js';
import type { VmLimits } from '../../sim/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    vmStore: VmStore;
    /** The engine host's shards (worker slots), for /metrics. */
    engineHost: ShardedHost;
    /** The Prisma client, for other plugins' own tables (the VM log is written by LogWriter). */
    prisma: PrismaClient;
    /** PostgreSQL stores: the lease connections (cluster mode); undefined on SQLite. */
    leasePools: LeasePools | undefined;
  }
}

interface PersistenceOptions {
  databaseUrl: string;
  maxVms: number;
  maxOperationsPerVm: number;
  limits: Partial<VmLimits>;
  /** Where the engine VMs live: worker threads, or this thread (workers 0). */
  engine: Omit<EngineHostOptions, 'onLost'>;
  queueBounds: QueueBounds;
  sqliteSynchronous: SqliteSynchronous;
  /** Replay waits for this promise first (tests use it to observe readyz before replay). */
  replayGate?: Promise<unknown>;
  /** Cluster mode: the lease new VMs are created with (see vm-store.ts). */
  lease?: NewLease;
  /** PostgreSQL: session limits and name (cluster mode). */
  postgres?: Omit<SessionOptions, 'onConnectionError'>;
}

export default fp(
  async function persistence(app: FastifyInstance, options: PersistenceOptions) {
    const { prisma, writer, leasePools, migrated, close } = await openStore(options.databaseUrl, {
      sqliteSynchronous: options.sqliteSynchronous,
      onCheckpointError: (message) => app.log.warn({ message }, 'WAL checkpoint failed'),
      postgres: {
        ...options.postgres,
        onConnectionError: (error) => app.log.warn({ err: error }, 'database session lost; it is reopened on next use'),
      },
    });
    if (migrated.length > 0) app.log.info({ migrations: migrated }, 'database migrated');
    // A dead worker's VMs go back to the store, which rebuilds them from their logs.
    const host = createEngineHost({ ...options.engine, onLost: (vmIds, error) => store.enginesLost(vmIds, error) });
    const store: VmStore = new VmStore(new VmRepository(prisma), writer, host, {
      maxVms: options.maxVms,
      maxOperationsPerVm: options.maxOperationsPerVm,
      limits: options.limits,
      log: app.log,
      lease: options.lease,
      queueBounds: options.queueBounds,
      slotOf: (vmId) => host.slotOf(vmId),
    });
    app.decorate('engineHost', host);
    app.decorate('vmStore', store);
    app.decorate('prisma', prisma);
    app.decorate('leasePools', leasePools);
    app.addHook('onReady', async () => {
      void store.startup.start(options.replayGate);
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
