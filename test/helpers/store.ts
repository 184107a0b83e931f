// Which store the tests run on: SQLite (default) or PostgreSQL (TEST_DATABASE=postgres, a
// second pass in .ci/run). Fresh databases, raw-row reads and the writer class to fault,
// the same way on both, so a test is written once.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';
import { applyMigrations } from '../../src/db/migrate.js';
import { PostgresLogWriter } from '../../src/db/postgres-log-writer.js';
import { SqliteLogWriter } from '../../src/db/sqlite-log-writer.js';
import { TEMPLATE_DB } from './postgres-setup.js';

export const TEST_STORE: 'sqlite' | 'postgres' = process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

const admin = (): string => {
  const url = inject('postgresAdminUrl');
  if (!url) throw new Error('TEST_DATABASE=postgres without a server (vitest.config.ts should have skipped this file)');
  return url;
};

/** A fresh, migrated database: a PostgreSQL URL (copy of the migrated template) or a SQLite "file:" URL. */
export async function freshDatabaseUrl(sqliteFile: () => string): Promise<string> {
  if (TEST_STORE === 'sqlite') {
    const file = sqliteFile();
    applyMigrations(file);
    return `file:${file}`;
  }
  const name = `t_${randomUUID().replaceAll('-', '')}`;
  const client = new pg.Client({ connectionString: admin() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin());
  url.pathname = `/${name}`;
  return url.href;
}

/**
 * Runs one statement on a test database, written once for both dialects: `?` placeholders and
 * quoted identifiers. Rows come back as SQLite gives them (booleans 0/1, counts as numbers).
 */
export async function queryRows<T = Record<string, unknown>>(databaseUrl: string, sql: string, ...params: unknown[]): Promise<T[]> {
  if (!databaseUrl.startsWith('postgres')) {
    const db = new Database(databaseUrl.replace(/^file:/, ''));
    try {
      const statement = db.prepare(sql);
      if (!statement.reader) {
        statement.run(...params);
        return [];
      }
      return statement.all(...params) as T[];
    } finally {
      db.close();
    }
  }
  let n = 0;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query({ text: sql.replace(/\?/g, () => `$${++n}`), values: params, types: { getTypeParser: sqliteLike } });
    return result.rows as T[];
  } finally {
    await client.end();
  }
}

const BOOL = 16;
const INT8 = 20;
/** As SQLite answers: booleans as 0/1, 64-bit counts as numbers. */
const sqliteLike = ((oid: number, format?: string) => {
  if (oid === BOOL) return (text: string) => (text === 't' ? 1 : 0);
  if (oid === INT8) return Number;
  return pg.types.getTypeParser(oid, format as 'text');
}) as pg.CustomTypesConfig['getTypeParser'];

/** The class whose commit() writes a group on this store (to fault it with vi.spyOn). */
export const writerPrototype = (): { commit: SqliteLogWriter['commit'] } =>
  TEST_STORE === 'postgres' ? PostgresLogWriter.prototype : SqliteLogWriter.prototype;
