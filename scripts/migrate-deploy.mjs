#!/usr/bin/env node
// `npm start`'s migration step. SQLite: `prisma migrate deploy`, as always. PostgreSQL: nothing
// here; the service applies prisma/postgres/migrations itself when it opens the store (Prisma's
// migrate cannot, see src/db/postgres-migrate.ts).
import { execFileSync } from 'node:child_process';

const url = process.env.DATABASE_URL ?? '';
if (/^postgres(ql)?:\/\//.test(url)) {
  console.log('PostgreSQL: migrations are applied by the service at start');
} else {
  execFileSync(process.execPath, ['node_modules/prisma/build/index.js', 'migrate', 'deploy'], { stdio: 'inherit' });
}
