// vitest globalSetup: with TEST_DATABASE=postgres, a PostgreSQL server for the whole run:
// TEST_POSTGRES_URL if set, else a throwaway cluster (scripts/pg-throwaway.sh). A template
// database is migrated once; each test app gets a fresh copy (store.ts). With no server to
// be had, the whole pass is skipped (exit 0), and this says so loudly.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyPostgresMigrations } from '../../src/db/postgres-migrate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PG_THROWAWAY = join(ROOT, 'scripts', 'pg-throwaway.sh');
export const TEMPLATE_DB = 'prefault_template';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL URL of a database on the test server with rights to CREATE DATABASE; '' when none. */
    postgresAdminUrl: string;
  }
}

export function loud(message: string): void {
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n${message}\n${bar}\n`);
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.TEST_DATABASE !== 'postgres') {
    project.provide('postgresAdminUrl', '');
    return undefined;
  }
  let adminUrl = process.env.TEST_POSTGRES_URL ?? '';
  let throwawayDir: string | undefined;
  if (!adminUrl) {
    try {
      const out = execFileSync(PG_THROWAWAY, ['start'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      adminUrl = /DATABASE_URL=(\S+)/.exec(out)![1]!;
      throwawayDir = /PGDIR=(\S+)/.exec(out)![1]!;
    } catch (error) {
      loud(`TEST_DATABASE=postgres but no PostgreSQL server could be started: THE POSTGRESQL PASS IS SKIPPED.\n${(error as Error).message.trim()}`);
      process.exit(0);
    }
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  await applyPostgresMigrations(templateUrl.href);
  project.provide('postgresAdminUrl', adminUrl);
  console.log(`TEST_DATABASE=postgres: tests run on ${adminUrl.replace(/\/\/[^@]*@/, '//')}`);
  return () => {
    if (throwawayDir) execFileSync(PG_THROWAWAY, ['stop', throwawayDir], { cwd: ROOT });
  };
}
