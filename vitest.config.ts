import { defineConfig } from 'vitest/config';

// TEST_DATABASE=postgres (the second pass of .ci/run): only the suites that touch the
// database, on PostgreSQL (test/helpers/postgres-setup.ts starts or finds the server).
// test/durability stays SQLite-only: it measures SQLite's own WAL/checkpoint behaviour.
const postgres = process.env.TEST_DATABASE === 'postgres';

export default defineConfig({
  test: {
    include: postgres ? ['test/http/**/*.test.ts', 'test/db/**/*.test.ts', 'test/cluster/**/*.test.ts'] : ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/postgres-setup.ts'],
    setupFiles: ['test/helpers/spte-invariants.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
