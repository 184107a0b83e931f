#!/usr/bin/env node
// prisma/schema.prisma (SQLite) is the one source of the models. Prisma allows one provider
// per schema, so this script derives prisma/postgres/schema.prisma from it and keeps
// prisma/postgres/migrations in step:
//   node scripts/prisma-postgres.mjs          write the PostgreSQL schema; if its models moved
//                                             since the last PostgreSQL migration, write one more
//                                             (named after the newest SQLite migration)
//   node scripts/prisma-postgres.mjs --check  exit 1 if either would change (CI, a test)
//   node scripts/prisma-postgres.mjs --generate  generate the PostgreSQL client (npm run db:generate)
// The models at the last PostgreSQL migration are kept in prisma/postgres/migrated.prisma:
// with a driver adapter configured, `prisma migrate diff` can compare two schema files but
// not a live database or a migrations folder (the CLI refuses), so the diff runs file to file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(ROOT, 'prisma/schema.prisma');
const SQLITE_MIGRATIONS = join(ROOT, 'prisma/migrations');
const PG_DIR = join(ROOT, 'prisma/postgres');
const PG_SCHEMA = join(PG_DIR, 'schema.prisma');
const PG_MIGRATED = join(PG_DIR, 'migrated.prisma');
const PG_MIGRATIONS = join(PG_DIR, 'migrations');
const PRISMA_CLI = join(ROOT, 'node_modules/prisma/build/index.js');

/** The PostgreSQL schema: same models, another provider, its client generated beside the SQLite one. */
export function postgresSchema(source) {
  const provider = /(datasource db \{[^}]*provider\s*=\s*)"sqlite"/;
  const generator = /(generator client \{[^}]*provider\s*=\s*"prisma-client-js")/;
  if (!provider.test(source) || !generator.test(source))
    throw new Error('prisma/schema.prisma: expected a sqlite datasource "db" and a prisma-client-js generator "client"');
  return (
    '// GENERATED from prisma/schema.prisma by scripts/prisma-postgres.mjs: edit that file, then run\n' +
    '// `npm run db:postgres`. Only the provider and the client output differ.\n' +
    source.replace(provider, '$1"postgresql"').replace(generator, '$1\n  output     = "../../node_modules/.prisma/client-postgres"')
  );
}

const read = (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);
const dirs = (path) =>
  existsSync(path)
    ? readdirSync(path, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];

function diffScript(from, to) {
  const args = [
    PRISMA_CLI,
    'migrate',
    'diff',
    from ? '--from-schema-datamodel' : '--from-empty',
    ...(from ? [from] : []),
    '--to-schema-datamodel',
    to,
    '--script',
  ];
  return execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * `prisma generate` with prisma.config.ts in its PostgreSQL mode (it follows DATABASE_URL;
 * nothing connects), without Prisma's tips and update notice (npm run db:generate runs at install).
 */
function generateClient() {
  execFileSync(process.execPath, [PRISMA_CLI, 'generate', '--no-hints'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: 'postgresql://generate@localhost/generate', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
}

/** What --check reports: the generated files that do not match prisma/schema.prisma. */
export function drift() {
  const schema = postgresSchema(readFileSync(SOURCE, 'utf8'));
  const problems = [];
  if (read(PG_SCHEMA) !== schema) problems.push('prisma/postgres/schema.prisma is not generated from prisma/schema.prisma');
  if (read(PG_MIGRATED) !== schema)
    problems.push('prisma/postgres/migrations lag behind prisma/schema.prisma (no PostgreSQL migration for the latest models)');
  return problems;
}

function main() {
  if (process.argv.includes('--generate')) return generateClient();
  const check = process.argv.includes('--check');
  const schema = postgresSchema(readFileSync(SOURCE, 'utf8'));
  const problems = drift();
  const needsMigration = read(PG_MIGRATED) !== schema;
  if (check) {
    for (const p of problems) console.error(`drift: ${p}`);
    if (problems.length > 0) console.error('run `npm run db:postgres` and commit prisma/postgres');
    process.exit(problems.length > 0 ? 1 : 0);
  }
  mkdirSync(PG_MIGRATIONS, { recursive: true });
  writeFileSync(PG_SCHEMA, schema);
  writeFileSync(join(PG_MIGRATIONS, 'migration_lock.toml'), '# Generated with scripts/prisma-postgres.mjs\nprovider = "postgresql"\n');
  if (!needsMigration) return console.log('prisma/postgres is up to date');
  const pgNames = new Set(dirs(PG_MIGRATIONS));
  const newest = dirs(SQLITE_MIGRATIONS).at(-1);
  const name = newest && !pgNames.has(newest) ? newest : `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_sync`;
  const sql = diffScript(existsSync(PG_MIGRATED) ? PG_MIGRATED : undefined, PG_SCHEMA);
  mkdirSync(join(PG_MIGRATIONS, name));
  writeFileSync(join(PG_MIGRATIONS, name, 'migration.sql'), sql);
  writeFileSync(PG_MIGRATED, schema);
  console.log(`wrote prisma/postgres/migrations/${name}/migration.sql`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
