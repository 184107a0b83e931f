// build() for tests: a fresh migrated database on the test store (a temp SQLite file, or a
// PostgreSQL database with TEST_DATABASE=postgres: store.ts), and the app ready (VMs rebuilt)
// before the first request. Pass `databaseUrl` to reopen an existing database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll } from 'vitest';
import { build as buildApp, type TestSeams } from '../../src/app.js';
import { configWith, type ConfigOverrides } from '../../src/config.js';
import { freshDatabaseUrl } from './store.js';

export interface TestApp {
  app: FastifyInstance;
  api: ReturnType<typeof supertest>;
  /** The app's database ("file:..." or "postgresql://..."): reopen it with build({ databaseUrl }), read it with queryRows. */
  databaseUrl: string;
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

/** Settings (defaults from src/config.ts) and test seams, told apart here: the seams go to build() as their own object. */
export type TestBuildOptions = ConfigOverrides & TestSeams & { waitForReplay?: boolean };

export async function build(options: TestBuildOptions = {}): Promise<TestApp> {
  const { waitForReplay = true, logger = false, replayGate, crashOnGpa, stopInGroupOnGpa, ...overrides } = options;
  const databaseUrl = overrides.databaseUrl ?? (await freshDatabaseUrl(tempDbFile));
  const seams: TestSeams = {
    logger,
    ...(replayGate && { replayGate }),
    ...(crashOnGpa && { crashOnGpa }),
    ...(stopInGroupOnGpa && { stopInGroupOnGpa }),
  };
  const app = await buildApp(configWith({ ...overrides, databaseUrl }), seams);
  await app.ready();
  if (waitForReplay) await app.liveVms.whenLoaded();
  return { app, api: supertest(app.server), databaseUrl, close: () => app.close() };
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
