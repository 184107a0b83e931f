// Applies prisma/migrations/*/migration.sql in order straight through better-sqlite3, and
// records them in _prisma_migrations as `prisma migrate deploy` does (same table, sha256
// checksum), so either tool can take over a database the other created. Used for fresh
// test databases: much faster than spawning the Prisma CLI for every test file.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { APPLIED_MIGRATIONS_SQL, pendingMigrations } from './migration-files.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

const LEDGER_SQL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`;

/** Apply every migration not yet recorded; returns the names applied now. */
export function applyMigrations(dbPath: string, migrationsDir = MIGRATIONS_DIR): string[] {
  mkdirSync(dirname(dbPath), { recursive: true });
  const db = new Database(dbPath);
  try {
    db.exec(LEDGER_SQL);
    const done = new Set(
      db
        .prepare(APPLIED_MIGRATIONS_SQL)
        .all()
        .map((row) => (row as { name: string }).name),
    );
    const applied: string[] = [];
    // All pending migrations in one transaction: a new database's whole history is one
    // commit (its fsyncs were most of a first start's migration time, one set per
    // migration), and a migration that fails leaves none of this run's applied.
    db.transaction(() => {
      for (const { name, sql, checksum } of pendingMigrations(migrationsDir, done)) {
        const started = new Date().toISOString();
        db.exec(sql);
        db.prepare(
          `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES (?, ?, ?, ?, ?, 1)`,
        ).run(randomUUID(), checksum, new Date().toISOString(), name, started);
        applied.push(name);
      }
    })();
    return applied;
  } finally {
    db.close();
  }
}
