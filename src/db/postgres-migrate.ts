// Applies prisma/postgres/migrations/*/migration.sql in order through `pg`, recorded in
// _prisma_migrations as `prisma migrate deploy` records them (same table and checksum).
// Prisma's own migrate cannot run here: through @prisma/adapter-pg it fails on PostgreSQL's
// `name` column type (prisma/orm#27403, open), and without an adapter it downloads a native
// engine. Instances starting together serialise on an advisory lock; each applies what is missing.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { APPLIED_MIGRATIONS_SQL, pendingMigrations } from './migration-files.js';

const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/postgres/migrations', import.meta.url));

/** Any constant shared by every instance: the key of the migration advisory lock. */
const MIGRATION_LOCK = 0x7072_6566;

// Prisma's PostgreSQL ledger, column for column.
const LEDGER_SQL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;

/** Apply every migration not yet recorded; returns the names applied now. */
export async function applyPostgresMigrations(databaseUrl: string, migrationsDir = POSTGRES_MIGRATIONS_DIR): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(LEDGER_SQL);
    const done = new Set((await client.query<{ name: string }>(APPLIED_MIGRATIONS_SQL)).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const { name, sql, checksum } of pendingMigrations(migrationsDir, done)) {
      const started = new Date();
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), checksum, name, started],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(name);
    }
    return applied;
  } finally {
    await client.end(); // also releases the advisory lock
  }
}
