// Owns the database and the live VMs for the app's lifetime: opens Prisma (reads) and the
// better-sqlite3 write connection (group commits), rebuilds the VMs in the background once
// the app is ready (readyz says when), holds /v1 calls until then, and on close (after
// Fastify has finished the in-flight requests) drains the queues, commits the last group
// and closes both connections.
import type { PrismaClient } from '@prisma/client';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { openStore } from '../db/open-store.js';
import type { SqliteSynchronous } from '../db/sqlite.js';
import { VmRepository } from '../db/vm-repository.js';
import type { VmLimits } from '../sim/index.js';
import { VmStore } from './vm-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    vmStore: VmStore;
    /** The Prisma client, for other plugins' own tables (the VM log is written by LogWriter). */
    prisma: PrismaClient;
  }
}

export interface PersistenceOptions {
  databaseUrl: string;
  maxVms: number;
  maxOperationsPerVm: number;
  limits?: Partial<VmLimits>;
  sqliteSynchronous: SqliteSynchronous;
  /** Replay waits for this promise first (tests use it to observe readyz before replay). */
  replayGate?: Promise<unknown>;
}

export default fp(
  async function persistence(app: FastifyInstance, options: PersistenceOptions) {
    const { prisma, writer, close } = await openStore(options.databaseUrl, {
      sqliteSynchronous: options.sqliteSynchronous,
      onCheckpointError: (message) => app.log.warn({ message }, 'WAL checkpoint failed'),
    });
    const store = new VmStore(new VmRepository(prisma), writer, {
      maxVms: options.maxVms,
      maxOperationsPerVm: options.maxOperationsPerVm,
      limits: options.limits,
      log: app.log,
    });
    app.decorate('vmStore', store);
    app.decorate('prisma', prisma);
    app.addHook('onReady', async () => {
      void store.startLoading(options.replayGate);
    });
    // Not async: once loaded (every request but the first few) this costs no promise.
    app.addHook('onRequest', (request, _reply, done) => {
      if (store.ready || !request.url.startsWith('/v1/')) return done();
      store.whenLoaded().then(() => done(), (error: Error) => done(error as FastifyError));
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
