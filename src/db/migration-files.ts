// What both migration runners share (SQLite: migrate.ts, PostgreSQL: postgres-migrate.ts):
// which migration folders are still to apply, in order, with the checksum Prisma's ledger
// (_prisma_migrations) records for each, so `prisma migrate deploy` and ours agree.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The names the ledger holds as applied. */
export const APPLIED_MIGRATIONS_SQL = 'SELECT migration_name AS name FROM _prisma_migrations WHERE rolled_back_at IS NULL';

export interface PendingMigration {
  name: string;
  sql: string;
  /** sha256 (hex) of migration.sql, as Prisma records it. */
  checksum: string;
}

/** The migrations of `migrationsDir` not in `applied`, in name (= timestamp) order. */
export function pendingMigrations(migrationsDir: string, applied: ReadonlySet<string>): PendingMigration[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !applied.has(entry.name))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}
