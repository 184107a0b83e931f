// A database holding `total` logged operations, written straight through a LogWriter (the
// engine computes each result, so replay finds no divergence), and the time build() takes
// to rebuild every VM from it: a SQLite file, or a PostgreSQL database given by URL.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../src/app.js';
import { configWith } from '../src/config.js';
import type { LogEntryWrite, LogWriter } from '../src/db/log-writer.js';
import { applyPostgresMigrations } from '../src/db/postgres-migrate.js';
import { PostgresLogWriter } from '../src/db/postgres-log-writer.js';
import { SqliteLogWriter } from '../src/db/sqlite-log-writer.js';
import { applyMigrations } from '../src/db/migrate.js';
import { openSqlite } from '../src/db/sqlite.js';
import { applyOperation } from '../src/service/engine/dispatch.js';
import { createVm, hex, withVmDefaults, type Operation } from '../src/sim/index.js';
import { BENCH_SLOT } from './bench-slot.js';

const CHUNK = 10_000;

export async function writeLogDatabase(dbFile: string, total: number, vms: number): Promise<void> {
  applyMigrations(dbFile);
  await writeLog(new SqliteLogWriter(openSqlite(`file:${dbFile}`, 'NORMAL')), total, vms);
}

/** The same log in an empty PostgreSQL database (migrated here). */
export async function writePostgresLog(databaseUrl: string, total: number, vms: number): Promise<void> {
  await applyPostgresMigrations(databaseUrl);
  await writeLog(await PostgresLogWriter.open(databaseUrl), total, vms);
}

async function writeLog(writer: LogWriter, total: number, vms: number): Promise<void> {
  try {
    for (let v = 0; v < vms; v++) {
      const id = randomUUID();
      const config = withVmDefaults({ name: `replay-${v}` });
      await writer.insertVm({ id, config, createdAt: new Date(), owner: null });
      const vm = createVm(config);
      const ops: Operation[] = [
        { op: 'set_memslot', addressSpace: 0, slot: 0, region: BENCH_SLOT },
        { op: 'create_vcpu', vcpu: { id: 0 } },
      ];
      const perVm = Math.floor(total / vms) + (v < total % vms ? 1 : 0);
      for (let i = 0; ops.length < perVm; i++) ops.push({ op: 'pre_fault', vcpuId: 0, gpa: hex(BigInt(i) * 0x2000n), size: '0x2000', flags: '0x0' });
      let chunk: LogEntryWrite[] = [];
      for (const [i, op] of ops.entries()) {
        const { json: resultJson, projection } = applyOperation(vm, op);
        chunk.push({ vmId: id, seq: i + 1, op, resultJson, projection });
        if (chunk.length === CHUNK) {
          await writer.commit(chunk, new Date());
          chunk = [];
        }
      }
      if (chunk.length > 0) await writer.commit(chunk, new Date());
    }
  } finally {
    await writer.close();
  }
}

/** Milliseconds from build() to every VM rebuilt and the app ready, on a fresh `total`-operation database (SQLite, or the empty PostgreSQL database `postgresUrl`). */
export async function timeReplay(total: number, vms: number, postgresUrl?: string, workers?: number): Promise<{ ms: number; vmsLoaded: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'prefault-lab-replay-'));
  try {
    let databaseUrl = postgresUrl;
    if (databaseUrl) await writePostgresLog(databaseUrl, total, vms);
    else {
      const dbFile = join(dir, 'replay.db');
      await writeLogDatabase(dbFile, total, vms);
      databaseUrl = `file:${dbFile}`;
    }
    const t0 = performance.now();
    const app = await build(configWith({ databaseUrl, ...(workers !== undefined && { workers }) }), { logger: false });
    await app.ready();
    await app.liveVms.whenLoaded();
    const ms = performance.now() - t0;
    const vmsLoaded = app.liveVms.count;
    await app.close();
    return { ms, vmsLoaded };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
