// Owns the database and the live VMs for the app's lifetime: opens Prisma, rebuilds the
// VMs in the background once the app is ready (readyz says when), holds /v1 calls until
// then, and on close finishes queued calls before closing the database.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { openPrisma } from '../db/prisma.js';
import { VmRepository } from '../db/vm-repository.js';
import type { VmLimits } from '../sim/index.js';
import { VmStore } from './vm-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    vmStore: VmStore;
  }
}

export interface PersistenceOptions {
  databaseUrl: string;
  maxVms: number;
  limits?: Partial<VmLimits>;
  /** Replay waits for this promise first (tests use it to observe readyz before replay). */
  replayGate?: Promise<unknown>;
}

export default fp(
  async function persistence(app: FastifyInstance, options: PersistenceOptions) {
    const prisma = await openPrisma(options.databaseUrl);
    const store = new VmStore(new VmRepository(prisma), { maxVms: options.maxVms, limits: options.limits, log: app.log });
    app.decorate('vmStore', store);
    app.addHook('onReady', async () => {
      void store.startLoading(options.replayGate);
    });
    app.addHook('onRequest', async (request) => {
      if (request.url.startsWith('/v1/')) await store.whenLoaded();
    });
    app.addHook('onClose', async () => {
      await store.drain();
      await prisma.$disconnect();
    });
  },
  { name: 'persistence' },
);
