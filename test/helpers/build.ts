// build() for tests: a fresh temp SQLite file, migrated in-process, and the app ready
// (VMs rebuilt) before the first request. Pass `dbFile` to reopen an existing database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll } from 'vitest';
import { build as buildApp, type BuildOptions } from '../../src/app.js';
import { applyMigrations } from '../../src/db/migrate.js';

export interface TestApp {
  app: FastifyInstance;
  api: ReturnType<typeof supertest>;
  dbFile: string;
  /** Closes the app (the database file stays, for restart tests). */
  close(): Promise<void>;
}

const tempDirs: string[] = [];

/** A path for a database file in a fresh temp directory (removed by removeTempDirs). */
export function tempDbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prefault-lab-test-'));
  tempDirs.push(dir);
  return join(dir, 'test.db');
}

export async function build(options: BuildOptions & { dbFile?: string; waitForReplay?: boolean } = {}): Promise<TestApp> {
  const { dbFile = tempDbFile(), waitForReplay = true, ...buildOptions } = options;
  applyMigrations(dbFile);
  const app = await buildApp({ logger: false, ...buildOptions, databaseUrl: `file:${dbFile}` });
  await app.ready();
  if (waitForReplay) await app.vmStore.whenLoaded();
  return { app, api: supertest(app.server), dbFile, close: () => app.close() };
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** One app per test file: built before the first test, closed (and temp files removed) after the last. */
export function useTestApp(options: Parameters<typeof build>[0] = {}): TestApp {
  const holder = {} as TestApp;
  beforeAll(async () => {
    Object.assign(holder, await build(options));
  });
  afterAll(async () => {
    await holder.close();
    removeTempDirs();
  });
  return holder;
}
