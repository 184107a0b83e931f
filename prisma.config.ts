// Prisma CLI configuration: the JS schema engine over better-sqlite3, so `generate` and
// `migrate deploy` run offline (see shared notes/stack.md: Prisma 6.19 offline).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { defineConfig } from 'prisma/config';

// Same default as src/db/prisma.ts (not imported: that module needs the generated client,
// which `prisma generate` is about to create). The schema's datasource reads DATABASE_URL.
const DEFAULT_DATABASE_URL = 'file:./data/prefault-lab.db';
process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
    // First start: the data directory may not exist yet.
    mkdirSync(dirname(url.replace(/^file:/, '')), { recursive: true });
    return new PrismaBetterSQLite3({ url });
  },
});
