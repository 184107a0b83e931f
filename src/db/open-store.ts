// Opens the store DATABASE_URL names: Prisma for reads and other tables, a LogWriter for the
// VM log, and (PostgreSQL) a small pool for leases. Either store is migrated here, on every
// start (a few ms when there is nothing new): SQLite in-process with Prisma's ledger, not
// `prisma migrate deploy` (seconds, and a CLI warning); PostgreSQL under an advisory lock
// (see postgres-migrate.ts for why not by Prisma).
import type { PrismaClient } from '@prisma/client';
import type pg from 'pg';
import { Checkpointer } from './checkpointer.js';
import { applyMigrations } from './migrate.js';
import type { LogWriter } from './log-writer.js';
import { openPrisma, sqlitePath } from './prisma.js';
import { SqliteLogWriter } from './sqlite-log-writer.js';
import { storeKind, type SqliteSynchronous, type StoreKind } from '../config.js';
import { openSqlite } from './sqlite.js';

export interface Store {
  kind: StoreKind;
  prisma: PrismaClient;
  writer: LogWriter;
  /** PostgreSQL only: connections for lease reads and renewals. */
  pool?: pg.Pool;
  /** The migrations this start applied (none when the database was up to date). */
  migrated: string[];
  close(): Promise<void>;
}

export interface StoreOptions {
  sqliteSynchronous: SqliteSynchronous;
  onCheckpointError: (message: string) => void;
}

export async function openStore(databaseUrl: string, options: StoreOptions): Promise<Store> {
  if (storeKind(databaseUrl) === 'postgres') {
    // Loaded only here: the default SQLite start-up does not pay for pg, its adapter and client.
    const [{ default: pgModule }, { applyPostgresMigrations }, { PostgresLogWriter }, { openPostgresPrisma }] = await Promise.all([
      import('pg'),
      import('./postgres-migrate.js'),
      import('./postgres-log-writer.js'),
      import('./postgres-prisma.js'),
    ]);
    const migrated = await applyPostgresMigrations(databaseUrl);
    const prisma = openPostgresPrisma(databaseUrl);
    const writer = await PostgresLogWriter.open(databaseUrl);
    const pool = new pgModule.Pool({ connectionString: databaseUrl, max: 4 });
    return {
      kind: 'postgres',
      prisma,
      writer,
      pool,
      migrated,
      async close() {
        await writer.close();
        await pool.end();
        await prisma.$disconnect();
      },
    };
  }
  const migrated = applyMigrations(sqlitePath(databaseUrl));
  const prisma = await openPrisma(databaseUrl);
  const checkpointer = new Checkpointer(sqlitePath(databaseUrl), options.onCheckpointError);
  const writer = new SqliteLogWriter(openSqlite(databaseUrl, options.sqliteSynchronous), checkpointer);
  return {
    kind: 'sqlite',
    prisma,
    writer,
    migrated,
    async close() {
      await writer.close();
      await prisma.$disconnect();
    },
  };
}
