// The tests Stryker runs against each engine mutant (stryker.config.mjs): the engine's own
// tests, among them the scenario files through the engine driver (test/sim/examples.test.ts).
// No HTTP, no database. Keep vitest's default per-file isolation: with `isolate: false`
// Stryker's per-test coverage got lost and mutants that tests kill were reported as survivors.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/sim/**/*.test.ts'],
    setupFiles: ['test/helpers/spte-invariants.ts'],
    testTimeout: 60_000,
  },
});
