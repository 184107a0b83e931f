// How soon the server is ready (npm run bench:start): time from launching `npm start` (and,
// to see npm's own share, `node dist/server.js`, and for comparison the sources through tsx)
// to the first 200 from /readyz, on a new
// database (first start: the file is created and migrated) and on the same database again
// (restart: the VMs made in between are rebuilt from their logs). Rounds alternate the
// launchers; medians and the spread are printed. The targets are printed beside them. Beside
// the wall time, the CPU time the launched process tree spent until ready (Linux /proc): on a
// machine busy with other work it is the steadier figure.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLoadVms } from '../test/durability/load.js';
import { median } from './head-of-line.js';
import { TICK_MS, statFields } from './proc-stat.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const VMS = 4;

const launchers = {
  'npm start': ['npm', ['start', '--silent']],
  'node dist/server.js': [process.execPath, ['dist/server.js']],
  // The sources through tsx, as npm start ran them before dist/: what compiling at start cost.
  'tsx src/server.ts': [process.execPath, ['--import', 'tsx', 'src/server.ts']],
} as const satisfies Record<string, readonly [string, readonly string[]]>;
type Launcher = keyof typeof launchers;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** CPU time (user + system, with waited-for children) of a process and its live descendants, in ms; NaN without /proc. */
function treeCpuMs(pid: number): number {
  const fields = statFields(`/proc/${pid}/stat`);
  if (!fields) return NaN;
  const own = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) * TICK_MS;
  const childrenFile = `/proc/${pid}/task/${pid}/children`;
  const children = existsSync(childrenFile) ? readFileSync(childrenFile, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) : [];
  return own + children.reduce((sum, child) => sum + treeCpuMs(child), 0);
}

interface Ready {
  ms: number;
  cpuMs: number;
}

/** Launches the server on `db`, waits for /readyz 200, runs `between`, then stops it with SIGTERM. */
async function readyMs(launcher: Launcher, db: string, between?: (baseUrl: string) => Promise<void>): Promise<Ready> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const [command, args] = launchers[launcher];
  const t0 = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `file:${db}`, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let ready: Ready;
  for (;;) {
    const res = await fetch(`${baseUrl}/readyz`).catch(() => undefined);
    if (res?.status === 200) {
      ready = { ms: performance.now() - t0, cpuMs: treeCpuMs(child.pid!) };
      break;
    }
    if (child.exitCode !== null) throw new Error(`${launcher} exited with ${child.exitCode} before it was ready`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await between?.(baseUrl);
  child.kill('SIGTERM');
  await exited;
  return ready;
}

/** Some VMs with a memslot, a vCPU and a pre-fault each, for the restart to rebuild. */
async function makeVms(baseUrl: string): Promise<void> {
  for (const id of await createLoadVms(baseUrl, VMS)) {
    const res = await fetch(`${baseUrl}/v1/vms/${id}/vcpus/0/pre-fault`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ gpa: '0x0', size: '0x200000' }),
    });
    if (res.status !== 200) throw new Error(`pre-fault answered ${res.status}`);
  }
}

execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
const names = Object.keys(launchers) as Launcher[];
const figures = new Map(names.flatMap((n) => [`${n}, first start`, `${n}, restart`].map((k) => [k, [] as Ready[]])));
const fmt = (ms: number): string => `${Math.round(ms)} ms`;
const show = (r: Ready): string => `${fmt(r.ms)} (CPU ${fmt(r.cpuMs)})`;
console.log(`${ROUNDS} rounds; restart = the same database with ${VMS} VMs to rebuild`);
for (let i = 0; i < ROUNDS; i++) {
  const order = i % 2 === 0 ? names : [...names].reverse();
  const line: string[] = [];
  for (const launcher of order) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-start-'));
    try {
      const db = join(dir, 'start.db');
      const first = await readyMs(launcher, db, makeVms);
      const again = await readyMs(launcher, db);
      figures.get(`${launcher}, first start`)!.push(first);
      figures.get(`${launcher}, restart`)!.push(again);
      line.push(`${launcher}: first ${show(first)}, restart ${show(again)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`  round ${i + 1}: ${line.join('; ')}`);
}
for (const [name, runs] of figures) {
  const target = name.startsWith('npm') ? (name.endsWith('restart') ? ' (target <= 1000 ms)' : ' (target <= 2000 ms)') : '';
  const ms = runs.map((r) => r.ms);
  const cpu = runs.map((r) => r.cpuMs);
  console.log(
    `${name}: median ${fmt(median(ms))} (spread ${fmt(Math.min(...ms))}-${fmt(Math.max(...ms))})${target}; ` +
      `CPU median ${fmt(median(cpu))} (spread ${fmt(Math.min(...cpu))}-${fmt(Math.max(...cpu))})`,
  );
}
