// Prisma CLI configuration: the JS schema engine over a driver adapter, so `generate` and
// `migrate deploy` run offline (see shared notes/stack.md: Prisma 6.19 offline). The store
// follows DATABASE_URL, as in the service (storeKind in src/config.ts): "file:..." is SQLite
// (prisma/schema.prisma, the one source of the models), "postgres(ql)://..." is PostgreSQL
// (prisma/postgres, generated from it by scripts/prisma-postgres.mjs).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

// Same default as src/config.ts (not imported: src/db modules load the generated
// client, which `prisma generate` is about to create). The schemas' datasource reads DATABASE_URL.
const DEFAULT_DATABASE_URL = 'file:./data/prefault-lab.db';
process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL;
const url = process.env.DATABASE_URL;
const postgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  schema: postgres ? 'prisma/postgres/schema.prisma' : 'prisma/schema.prisma',
  migrations: { path: postgres ? 'prisma/postgres/migrations' : 'prisma/migrations' },
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    if (postgres) return new PrismaPg({ connectionString: url });
    // First start: the data directory may not exist yet.
    mkdirSync(dirname(url.replace(/^file:/, '')), { recursive: true });
    return new PrismaBetterSQLite3({ url });
  },
});
