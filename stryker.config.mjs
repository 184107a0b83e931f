// Mutation testing of the engine (src/sim) against test/sim and the engine-driven scenario
// tests (vitest.mutation.config.ts): `npm run test:mutation`, not part of `npm test`.
// Sized for a 2-core machine: two workers, per-test coverage (each mutant runs only the
// tests that reach it), and incremental mode (a re-run only tests mutants whose code or
// tests changed; the state file is reports/, git-ignored). Pass `--mutate <glob>` to run a
// subset, `--no-incremental` (or delete reports/) for a clean run, and `--force` to re-test
// mutants the incremental file would reuse (it keeps "Survived" after new tests).
// Stryker 9.6 (not 10.x): 10.0 dropped Node 20 (stryker-js PR #6002), and this project runs on Node 20.

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: ['src/sim/**/*.ts', '!src/sim/index.ts', '!src/sim/types.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // A mutant counts as detected when its tests run past (dry-run time x factor + timeoutMS).
  // With a 3 s margin, a machine busier than during the dry run turned mutants the tests do
  // not detect into "timeouts" (one of them, in a trace-only error code, was checked by hand:
  // every test passes). 20 s leaves only real hangs (a mutated loop bound) timing out.
  timeoutMS: 20_000,
  timeoutFactor: 1.5,
  // Module-level constants are reached by every test and need a fresh module graph per
  // mutant: too slow for 2 cores. They are reported as ignored, not scored.
  ignoreStatic: true,
  thresholds: { high: 90, low: 85, break: null },
};
