// Owns the database, the engine host and the live VMs for the app's lifetime: opens Prisma
// (reads) and the better-sqlite3 write connection (group commits), rebuilds the VMs in the
// background once the app is ready (readyz says when), holds /v1 calls until then, and on
// close (after Fastify has finished the in-flight requests) drains the queues, commits the
// last group, closes the engine host and both connections.
import type { PrismaClient } from '@prisma/client';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { SqliteSynchronous } from '../../config.js';
import { Checkpointer } from '../../db/checkpointer.js';
import { LogWriter } from '../../db/log-writer.js';
import { openPrisma, sqlitePath } from '../../db/prisma.js';
import { openSqlite } from '../../db/sqlite.js';
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
}

export default fp(
  async function persistence(app: FastifyInstance, options: PersistenceOptions) {
    const prisma = await openPrisma(options.databaseUrl);
    const checkpointer = new Checkpointer(sqlitePath(options.databaseUrl), (message) => app.log.warn({ message }, 'WAL checkpoint failed'));
    const writer = new LogWriter(openSqlite(options.databaseUrl, options.sqliteSynchronous), checkpointer);
    // A dead worker's VMs go back to the store, which rebuilds them from their logs.
    const host = createEngineHost({ ...options.engine, onLost: (vmIds, error) => store.enginesLost(vmIds, error) });
    const store: VmStore = new VmStore(new VmRepository(prisma), writer, host, {
      maxVms: options.maxVms,
      maxOperationsPerVm: options.maxOperationsPerVm,
      limits: options.limits,
      log: app.log,
      queueBounds: options.queueBounds,
      slotOf: (vmId) => host.slotOf(vmId),
    });
    app.decorate('engineHost', host);
    app.decorate('vmStore', store);
    app.decorate('prisma', prisma);
    app.addHook('onReady', async () => {
      void store.startup.start(options.replayGate);
    });
    // Not async: once loaded (every request but the first few) this costs no promise.
    app.addHook('onRequest', (request, _reply, done) => {
      if (store.startup.ready || !request.url.startsWith('/v1/')) return done();
      store.startup.whenLoaded().then(
        () => done(),
        (error: Error) => done(error as FastifyError),
      );
    });
    app.addHook('onClose', async () => {
      try {
        await store.drain();
      } finally {
        await writer.close();
        await prisma.$disconnect();
      }
    });
  },
  { name: 'persistence' },
);
