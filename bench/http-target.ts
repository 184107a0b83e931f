// The server side of bench/http.ts, in its own process so the load generator does not share
// its event loop: `bare` (a tiny Fastify instance with one POST route) or `prefault` (the
// real app on a fresh migrated database with VMS VMs, each with a 4K memslot and vCPU 0).
// Tells the parent its port (and VM ids) over IPC, closes on SIGTERM. The service is the
// compiled one in dist/ (what `npm start` runs; bench/http.ts rebuilds it when stale), typed
// from its sources; BENCH_DIST=<dir>: another build's dist/ (another commit's, to compare).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { SqliteSynchronous } from '../src/config.js';
import { BENCH_SLOT } from './bench-slot.js';
import { startCpuProfile } from './cpu-profile.js';
import { TICK_MS, statFields } from './proc-stat.js';

const DIST = process.env.BENCH_DIST ? pathToFileURL(`${resolve(process.env.BENCH_DIST)}/`) : new URL('../dist/', import.meta.url);
const fromDist = <T>(path: string): Promise<T> => import(new URL(path, DIST).href) as Promise<T>;
const { build } = await fromDist<typeof import('../src/app.js')>('app.js');
const { applyMigrations } = await fromDist<typeof import('../src/db/migrate.js')>('db/migrate.js');
const { configWith } = await fromDist<typeof import('../src/config.js')>('config.js');

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
/** CPU time (utime + stime, in microseconds) and nice value of each thread of this process; empty off Linux. */
function threadTimes(): Map<string, { micros: number; nice: number }> {
  const threads = new Map<string, { micros: number; nice: number }>();
  const tids = existsSync('/proc/self/task') ? readdirSync('/proc/self/task') : [];
  for (const tid of tids) {
    const fields = statFields(`/proc/self/task/${tid}/stat`);
    if (fields) threads.set(tid, { micros: (Number(fields[11]) + Number(fields[12])) * TICK_MS * 1000, nice: Number(fields[16]) });
  }
  return threads;
}

/**
 * The CPU time since `before` of the main thread and of the engine workers (the only threads
 * at their nice value when it is not 0); the rest (V8's GC and compiler threads, the WAL
 * checkpointer, libuv's pool) is the process total minus these.
 */
function cpuSplit(before: Map<string, { micros: number; nice: number }>): { mainCpuMicros?: number; engineCpuMicros?: number } {
  const after = threadTimes();
  const main = after.get(String(process.pid));
  if (!main) return {};
  const since = (tid: string, t: { micros: number }) => t.micros - (before.get(tid)?.micros ?? 0);
  const workerNice = Number(process.env.ENGINE_WORKER_NICE ?? configWith().workerNice);
  let engine = 0;
  for (const [tid, t] of after) if (tid !== String(process.pid) && workerNice !== 0 && t.nice === workerNice) engine += since(tid, t);
  return { mainCpuMicros: since(String(process.pid), main), ...(workerNice !== 0 && { engineCpuMicros: engine }) };
}

// BENCH_CPU_PROF=<dir>: a profile of the main thread from here to SIGTERM, written there.
const stopProfile = process.env.BENCH_CPU_PROF ? await startCpuProfile() : undefined;
const profileFile = stopProfile && join(process.env.BENCH_CPU_PROF!, `${mode}-${process.pid}.cpuprofile`);
const cpuAtStart = process.cpuUsage();
const threadsAtStart = threadTimes();
process.send?.({ port, vmIds: target.vmIds ?? [] });
process.on('SIGTERM', () => {
  void (async () => {
    await stopProfile?.(profileFile!);
    const split = cpuSplit(threadsAtStart); // before close: closing ends the engine workers' threads
    await target.app.close();
    target.cleanup?.();
    const cpu = process.cpuUsage(cpuAtStart); // every thread of this process, while under load
    const commits = target.app.hasDecorator('liveVms') ? target.app.liveVms.commits.stats : null;
    process.send!({ cpuMicros: cpu.user + cpu.system, ...split, commits, profileFile }, () => process.exit(0));
  })();
});
