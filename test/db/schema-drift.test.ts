// prisma/schema.prisma is the one source of the models; the PostgreSQL schema and the state
// its migrations reach are generated from it (scripts/prisma-postgres.mjs). This fails when
// someone edits the models (or adds a SQLite migration) without regenerating them.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, without type declarations
import { drift, postgresSchema } from '../../scripts/prisma-postgres.mjs';

describe('PostgreSQL schema generated from the SQLite one', () => {
  it('is up to date, with a migration for the latest models', () => {
    expect(drift()).toEqual([]);
  });

  it('differs from the source only in provider and client output', () => {
    const source =
      'generator client {\n  provider   = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "sqlite"\n  url = env("X")\n}\nmodel A { id String @id }\n';
    const generated: string = postgresSchema(source);
    expect(generated).toContain('provider = "postgresql"');
    expect(generated).toContain('output     = "../../node_modules/.prisma/client-postgres"');
    expect(generated).toContain('model A { id String @id }');
    expect(() => postgresSchema(source.replace('"sqlite"', '"mysql"'))).toThrow(/sqlite datasource/);
  });
});
