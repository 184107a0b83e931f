// Engine speed and memory for one vCPU pre-faulting big slots (npm run bench:engine).
// Prints figures; the targets are printed beside them, never asserted in tests.

import * as sim from '../src/sim/index.js';
import type { EngineOptions, LevelName } from '../src/sim/index.js';
import { arm64PrefaultSlot } from './arm64-fill.js';
import { compareAgainst } from './engine-against.js';
import { GiB, hasExactHeap, prefaultSlot as fill, quietHeap, type Run } from './engine-fill.js';

// --against <rev> [--rounds N] [--page 4K|2M|1G]: compare with another commit instead.
const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const against = option('--against');
if (against !== undefined) {
  await compareAgainst(against, Number(option('--rounds') ?? 7), option('--page') ?? '4K');
  process.exit(0);
}

const prefaultSlot = (label: string, bytes: bigint, pageSize: LevelName, engine: Partial<EngineOptions> = {}): Run =>
  fill(sim, label, bytes, pageSize, engine);

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits });

if (!hasExactHeap) console.log('(run with --expose-gc for exact heap figures: npm run bench:engine does)');
// Warm the JIT on a small slot first so the first figure is not compile time (arm64: one
// whole fill per granule, the arm64 engine has no smaller entry point here).
prefaultSlot('warm-up', GiB, '4K');
arm64PrefaultSlot('4K');
arm64PrefaultSlot('64K');

/**
 * Three runs of a case (this machine is shared and noisy): the median time, and the heap
 * figure of the first run (later runs start while V8 still releases the previous run's
 * ArrayBuffers in the background, which skews their before/after difference).
 */
function median3(label: string, bytes: bigint, pageSize: LevelName, engine: Partial<EngineOptions> = {}): { run: Run; all: number[] } {
  return median3Of(() => prefaultSlot(label, bytes, pageSize, engine));
}
function median3Of(fill: () => Run): { run: Run; all: number[] } {
  const runs = [0, 1, 2].map(fill);
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return { run: { ...sorted[1]!, bytesPerLeaf: runs[0]!.bytesPerLeaf }, all: runs.map((r) => r.ms) };
}
const all = (ms: number[]): string => `(runs: ${ms.map((m) => fmt(m, 1)).join(', ')} ms)`;

// x86's 4K fill both ways: one fault step per leaf (page runs off), and the default, where a
// 4K table's faults after its first are one page run (src/sim/mmu/page-run.ts).
const k4 = median3('64 GiB, 4K backing, per leaf', 64n * GiB, '4K', { pageRuns: false });
await quietHeap();
const k4Run = median3('64 GiB, 4K backing, page runs (default)', 64n * GiB, '4K');
for (const [c, target] of [
  [k4, 10],
  [k4Run, 50],
] as const)
  console.log(
    `${c.run.label}: ${fmt(c.run.leaves, 0)} 4K leaves in ${fmt(c.run.ms)} ms = ` +
      `${fmt(c.run.leaves / (c.run.ms / 1000) / 1e6, 2)} M leaves/s (${fmt(c.run.leaves / c.run.cpuMs / 1000, 2)} M/s of CPU), ` +
      `median of 3 ${all(c.all)} (target >= ${target} M/s); heap ${fmt(c.run.bytesPerLeaf, 2)} bytes per 4K leaf (target <= 8.5)`,
  );
// arm64 beside x86's 4K fill per leaf: the same 64 GiB on a 4K-granule host (4K leaves) and on a
// 64K-granule host (64K leaves, 16x fewer), per leaf (the target: no slower per leaf).
const nsPerLeaf = (r: Run): number => (r.ms * 1e6) / r.leaves;
const cpuPerLeaf = (r: Run): number => r.cpuMs / r.leaves;
for (const granule of ['4K', '64K'] as const) {
  await quietHeap();
  const a = median3Of(() => arm64PrefaultSlot(granule));
  console.log(
    `${a.run.label}: ${fmt(a.run.leaves, 0)} ${granule} leaves in ${fmt(a.run.ms)} ms = ` +
      `${fmt(a.run.leaves / (a.run.ms / 1000) / 1e6, 2)} M leaves/s, median of 3 ${all(a.all)}; ` +
      `heap ${fmt(a.run.bytesPerLeaf, 2)} bytes per leaf; per leaf ${fmt(nsPerLeaf(a.run) / nsPerLeaf(k4.run), 2)}x x86's wall time, ` +
      `${fmt(cpuPerLeaf(a.run) / cpuPerLeaf(k4.run), 2)}x its CPU time (target <= 1)`,
  );
}
const m2 = median3('1 TiB, 2M backing', 1024n * GiB, '2M');
console.log(`${m2.run.label}: ${fmt(m2.run.leaves, 0)} 2M leaves in ${fmt(m2.run.ms)} ms, median of 3 ${all(m2.all)} (target < 250 ms)`);
const g1 = median3('1 TiB, 1G backing', 1024n * GiB, '1G');
console.log(`${g1.run.label}: ${fmt(g1.run.leaves, 0)} 1G leaves in ${fmt(g1.run.ms, 2)} ms, median of 3 ${all(g1.all)} (target < 50 ms)`);
