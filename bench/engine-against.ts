// bench:engine --against <rev>: this tree's engine and another commit's, compared in one run.
// The other commit is checked out in a temporary git worktree; both engines are bundled the
// same way (esbuild, with the same measuring code), then run in alternation, one process per
// run, so that a noisy machine slows both alike. Prints every round and the ratio of medians.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { Run } from './engine-fill.js';

const here = resolve(import.meta.dirname, '..');
const git = (...args: string[]): string => execFileSync('git', args, { cwd: here, encoding: 'utf8' }).trim();

/** Point the child's engine import at the engine under `root` (this tree or the other commit's). */
const engineAt = (root: string): Plugin => ({
  name: 'engine-at',
  setup(b) {
    b.onResolve({ filter: /\/src\/sim\/index\.js$/ }, () => ({ path: join(root, 'src/sim/index.ts') }));
  },
});

async function bundle(root: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [join(here, 'bench/engine-fill-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    plugins: [engineAt(root)],
    logLevel: 'error',
  });
}

function runOnce(file: string, page: string): Run {
  const out = execFileSync(process.execPath, ['--expose-gc', file, page], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Run;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number, digits = 2): string => n.toFixed(digits);
// M leaves/s over wall time, and over the process's CPU time (what other load on the machine disturbs least).
const rate = (r: Run): number => r.leaves / r.ms / 1000;
const cpuRate = (r: Run): number => r.leaves / r.cpuMs / 1000;

export async function compareAgainst(rev: string, rounds: number, page: string): Promise<void> {
  const sha = git('rev-parse', '--short', `${rev}^{commit}`);
  const tmp = mkdtempSync(join(tmpdir(), 'bench-against-'));
  const tree = join(tmp, 'tree');
  git('worktree', 'add', '--detach', '--quiet', tree, sha);
  try {
    symlinkSync(join(here, 'node_modules'), join(tree, 'node_modules'));
    const files = { this: join(tmp, 'this.mjs'), [sha]: join(tmp, 'against.mjs') };
    await bundle(here, files.this);
    await bundle(tree, files[sha]!);
    const names = ['this', sha];
    const runs: Record<string, Run[]> = { this: [], [sha]: [] };
    console.log(`${page} fill, this tree against ${sha} (${rev}), ${rounds} alternating rounds, one process per run:`);
    for (let i = 0; i < rounds; i++) {
      // Alternate who goes first, so neither side always runs on a warmer or cooler machine.
      const order = i % 2 === 0 ? names : [...names].reverse();
      const line: string[] = [];
      for (const name of order) {
        const r = runOnce(files[name]!, page);
        runs[name]!.push(r);
        line.push(`${name} ${fmt(rate(r))} M/s, ${fmt(cpuRate(r))} M/s of CPU (${fmt(r.bytesPerLeaf, 1)} B/leaf)`);
      }
      console.log(`  round ${i + 1}: ${line.join(', ')}`);
    }
    const medians: Record<string, { wall: number; cpu: number }> = {};
    for (const name of names) {
      const rates = runs[name]!.map(rate);
      const cpuRates = runs[name]!.map(cpuRate);
      medians[name] = { wall: median(rates), cpu: median(cpuRates) };
      console.log(
        `${name}: median ${fmt(medians[name].wall)} M leaves/s (spread ${fmt(Math.min(...rates))}-${fmt(Math.max(...rates))}), ` +
          `${fmt(medians[name].cpu)} M/s of CPU (spread ${fmt(Math.min(...cpuRates))}-${fmt(Math.max(...cpuRates))}), ` +
          `${fmt(median(runs[name]!.map((r) => r.bytesPerLeaf)), 1)} B/leaf`,
      );
    }
    const a = medians.this!;
    const b = medians[sha]!;
    console.log(`ratio of medians, this / ${sha}: ${fmt(a.wall / b.wall, 3)} (wall), ${fmt(a.cpu / b.cpu, 3)} (CPU)`);
  } finally {
    git('worktree', 'remove', '--force', tree);
    rmSync(tmp, { recursive: true, force: true });
  }
}
