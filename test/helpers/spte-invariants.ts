// vitest setup file (vitest.config.ts, vitest.mutation.config.ts): every test runs the engine
// with the funnel's SPTE invariant checks on, so a change tdp_mmu.c would WARN or BUG on
// fails the test that caused it.
import { checkSpteInvariants } from '../../src/sim/mmu/set-spte.js';

checkSpteInvariants(true);
