// Opens the store DATABASE_URL names: Prisma for reads and other tables, a LogWriter for the
// VM log, and (PostgreSQL) the lease connections: a small pool for takeovers, one for renewals. Either store is migrated here, on every
// start (a few ms when there is nothing new): SQLite in-process with Prisma's ledger, not
// `prisma migrate deploy` (seconds, and a CLI warning); PostgreSQL under an advisory lock
// (see postgres-migrate.ts for why not by Prisma).
import type { PrismaClient } from '@prisma/client';
import { Checkpointer } from './checkpointer.js';
import { applyMigrations } from './migrate.js';
import type { LeasePools } from './lease-store.js';
import type { LogWriter } from './log-writer.js';
import type { LogWriterSeams, SessionOptions } from './postgres-log-writer.js';
import { openPrisma, sqlitePath } from './prisma.js';
import { SqliteLogWriter } from './sqlite-log-writer.js';
import { storeKind, type SqliteSynchronous, type StoreKind } from '../config.js';
import { openSqlite } from './sqlite.js';

export interface Store {
  kind: StoreKind;
  prisma: PrismaClient;
  writer: LogWriter;
  /** PostgreSQL only: connections for lease takeovers, lookups and renewals. */
  leasePools?: LeasePools;
  /** The migrations this start applied (none when the database was up to date). */
  migrated: string[];
  close(): Promise<void>;
}

export interface StoreOptions {
  sqliteSynchronous: SqliteSynchronous;
  onCheckpointError: (message: string) => void;
  /** PostgreSQL: the writer's and lease sessions' limits and name (cluster mode), and where lost idle sessions are reported. */
  postgres?: SessionOptions;
}

export async function openStore(databaseUrl: string, options: StoreOptions, seams: LogWriterSeams = {}): Promise<Store> {
  if (storeKind(databaseUrl) === 'postgres') {
    // Loaded only here: the default SQLite start-up does not pay for pg, its adapter and client.
    const [{ default: pgModule }, { applyPostgresMigrations }, { PostgresLogWriter, sessionConfig }, { openPostgresPrisma }] = await Promise.all([
      import('pg'),
      import('./postgres-migrate.js'),
      import('./postgres-log-writer.js'),
      import('./postgres-prisma.js'),
    ]);
    const migrated = await applyPostgresMigrations(databaseUrl);
    const prisma = openPostgresPrisma(databaseUrl);
    const session = options.postgres ?? {};
    const writer = await PostgresLogWriter.open(databaseUrl, session, seams);
    const pool = (role: string, max: number) => {
      const created = new pgModule.Pool({ ...sessionConfig(databaseUrl, session, role), max });
      // An idle connection the server ended (the pool replaces it); unhandled, it would end the process.
      created.on('error', (error) => session.onConnectionError?.(error));
      return created;
    };
    const leasePools: LeasePools = { takeovers: pool('leases', 4), renewals: pool('renewals', 1) };
    return {
      kind: 'postgres',
      prisma,
      writer,
      leasePools,
      migrated,
      async close() {
        await writer.close();
        await Promise.all([leasePools.takeovers.end(), leasePools.renewals.end()]);
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
