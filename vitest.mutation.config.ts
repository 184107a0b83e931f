// The tests Stryker runs against each engine mutant (stryker.config.mjs): the engine's own
// tests, among them the scenario files through the engine driver (test/sim/examples.test.ts).
// No HTTP, no database. Test files share one module graph (isolate: false): engine VMs hold
// no module-level state, and a mutant run then loads src/sim once instead of once per file.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/sim/**/*.test.ts'],
    isolate: false,
    testTimeout: 60_000,
  },
});
