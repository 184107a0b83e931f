// The Prisma client of a PostgreSQL store: the client generated from prisma/postgres/
// schema.prisma (a second client, since Prisma binds a client to one provider) over
// @prisma/adapter-pg. Its query API is the SQLite client's, model for model (the schemas
// differ only in provider), so the rest of the service types it as that client.
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import type { PrismaClient } from '@prisma/client';

const CLIENT_PATH = '../../node_modules/.prisma/client-postgres/index.js';

export function openPostgresPrisma(databaseUrl: string): PrismaClient {
  let generated: { PrismaClient: new (options: { adapter: PrismaPg }) => PrismaClient };
  try {
    generated = createRequire(import.meta.url)(CLIENT_PATH);
  } catch (error) {
    throw new Error('the PostgreSQL Prisma client is missing: run `npm run db:generate`', { cause: error });
  }
  return new generated.PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 8 }) });
}
