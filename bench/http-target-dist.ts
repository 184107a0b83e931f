// The server side of bench/http.ts, in its own process so the load generator does not share
// its event loop: `bare` (a tiny Fastify instance with one POST route) or `prefault` (the
// real app on a fresh migrated database with VMS VMs, each with a 4K memslot and vCPU 0).
// Tells the parent its port (and VM ids) over IPC, closes on SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { build } from '../dist/app.js';
import { applyMigrations } from '../dist/db/migrate.js';
import { configWith, type SqliteSynchronous } from '../dist/config.js';
import { BENCH_SLOT } from './bench-slot.js';

async function bare(): Promise<Target> {
  const app = Fastify({ logger: false });
  app.post('/bare', async (request) => ({ ok: true, echo: request.body }));
  return { app };
}

interface Target {
  app: FastifyInstance;
  vmIds?: string[];
  cleanup?: () => void;
}

async function prefault(vms: number, synchronous: SqliteSynchronous): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'prefault-lab-bench-'));
  const dbFile = join(dir, 'bench.db');
  applyMigrations(dbFile);
  // Rate limiting stays on (its cost is part of the hot path) with a max no run reaches.
  // WORKERS and ENGINE_WORKER_NICE from the parent (bench/http.ts compares engine hosts); the server's defaults otherwise.
  const workers = {
    ...(process.env.WORKERS !== undefined && { workers: Number(process.env.WORKERS) }),
    ...(process.env.ENGINE_WORKER_NICE !== undefined && { workerNice: Number(process.env.ENGINE_WORKER_NICE) }),
  };
  // BENCH_TABLE_BYTES: a larger page-table budget per VM, for runs that map tens of GiB per VM.
  const limits = process.env.BENCH_TABLE_BYTES === undefined ? {} : { limits: { maxTableBytes: Number(process.env.BENCH_TABLE_BYTES) } };
  const app = await build(
    configWith({
      databaseUrl: `file:${dbFile}`,
      sqliteSynchronous: synchronous,
      rateLimit: { max: 1e9, windowMs: 60_000 },
      ...workers,
      ...limits,
    }),
    { logger: false },
  );
  await app.ready();
  await app.liveVms.whenLoaded();
  const vmIds: string[] = [];
  for (let i = 0; i < vms; i++) {
    const vm = await app.inject({ method: 'POST', url: '/v1/vms', payload: { name: `bench-${i}` } });
    const id = vm.json().id as string;
    await app.inject({ method: 'PUT', url: `/v1/vms/${id}/memslots/0/0`, payload: BENCH_SLOT });
    await app.inject({ method: 'POST', url: `/v1/vms/${id}/vcpus`, payload: { id: 0 } });
    vmIds.push(id);
  }
  return { app, vmIds, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const [mode = 'bare', vms = '8', synchronous = 'NORMAL'] = process.argv.slice(2);
const target: Target = mode === 'bare' ? await bare() : await prefault(Number(vms), synchronous as SqliteSynchronous);
await target.app.listen({ port: 0, host: '127.0.0.1' });
const address = target.app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const cpuAtStart = process.cpuUsage();
process.send?.({ port, vmIds: target.vmIds ?? [] });
process.on('SIGTERM', () => {
  void target.app.close().then(() => {
    target.cleanup?.();
    const cpu = process.cpuUsage(cpuAtStart); // every thread of this process, while under load
    const commits = target.app.hasDecorator('liveVms') ? target.app.liveVms.commits.stats : null;
    process.send!({ cpuMicros: cpu.user + cpu.system, commits }, () => process.exit(0));
  });
});
