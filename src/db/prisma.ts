// Opens the Prisma client on one better-sqlite3 connection (JS engine, no native download).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '@prisma/client';

/** "file:./data/x.db" -> "./data/x.db" (the adapter's own rule). */
export const sqlitePath = (databaseUrl: string): string => databaseUrl.replace(/^file:/, '');

export async function openPrisma(databaseUrl: string): Promise<PrismaClient> {
  const path = sqlitePath(databaseUrl);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // timeout = SQLite busy_timeout in ms: wait for a lock rather than fail with SQLITE_BUSY.
  const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl, timeout: 5000 }) });
  // WAL: readers never block the writer; foreign keys: DELETE vm cascades to its rows.
  await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  return prisma;
}
