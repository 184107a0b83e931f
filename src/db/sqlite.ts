// The service's write connection: plain better-sqlite3 (Prisma owns the schema, the
// migrations and the read queries). One connection does every write, so writes never wait
// on each other across connections.
//
// Durability choice: journal_mode=WAL with synchronous=NORMAL by default. In WAL mode a
// COMMIT appends the transaction to the -wal file with write() before it returns, so once a
// request is acknowledged its log entry survives `kill -9` of the process (the OS holds the
// pages; test/durability checks it); only an OS crash or power loss can drop the newest
// transactions (never corrupt the file), because NORMAL fsyncs at checkpoints, not per
// commit. FULL adds an fsync to every commit, run on the event loop (better-sqlite3 is
// synchronous), so every request waits for it. Measured here with 27-entry groups of
// pre-fault entries (the bench's average group): NORMAL 8.5 us per entry, 0.2 ms per commit
// (p50); FULL 20 us per entry, 0.5 ms per commit (p50), p99 2 ms. Group commit makes FULL
// affordable (one fsync per group, not per request): set SQLITE_SYNCHRONOUS=FULL when
// power-loss durability matters more than latency.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteSynchronous } from '../config.js';
import { sqlitePath } from './prisma.js';

export function openSqlite(databaseUrl: string, synchronous: SqliteSynchronous): Database.Database {
  const path = sqlitePath(databaseUrl);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // Same busy timeout as the Prisma connection: wait for a lock rather than fail.
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  // Checkpoints run in a worker (checkpointer.ts); this connection only takes over past 40 MB of WAL.
  db.pragma('wal_autocheckpoint = 10000');
  return db;
}
