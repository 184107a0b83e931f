// HTTP throughput and latency (npm run bench:http): a bare Fastify POST route against the
// pre-fault route (2-page pre-faults on existing VMs, durable group-committed log), both
// driven by autocannon with 50 connections against a server in a child process; then the
// time to restart on a database of 100,000 logged operations. Prints figures beside the
// targets of issue 4; nothing here is asserted.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { showSummary, type CpuProfile } from './cpu-profile.js';
import { BIG_SIZE, closeAgent, headOfLine, median, showHeadOfLine } from './head-of-line.js';
import { machineCpuTicks } from './proc-stat.js';
import { timeReplay } from './replay-db.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const VMS = 8;
const REPLAY_OPERATIONS = 100_000;
const TARGET = fileURLToPath(new URL('./http-target.ts', import.meta.url));
// The target runs the compiled service, as `npm start` does: rebuild it if a source is newer.
execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), '--if-stale'], { stdio: 'inherit' });

interface Figures {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  /** Server CPU per answered request, in microseconds: all threads, the main thread alone and the engine workers (Linux). */
  cpuPerRequest?: number;
  mainCpuPerRequest?: number | undefined;
  engineCpuPerRequest?: number | undefined;
  /** The share of the machine's CPU time left idle during the load (Linux): the server, the load generator and anything else together. */
  idle?: number | undefined;
}

async function startTarget(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; port: number; vmIds: string[] }> {
  const child = fork(TARGET, args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const [message] = (await once(child, 'message')) as [{ port: number; vmIds: string[] }];
  return { child, ...message };
}

interface TargetStats {
  /** CPU time of the server process (all threads) while under load, in microseconds. */
  cpuMicros: number;
  /** Its main thread's share, and the engine workers' (Linux only; no split of the workers at ENGINE_WORKER_NICE=0). */
  mainCpuMicros?: number;
  engineCpuMicros?: number;
  commits: { groups: number; entries: number; largestGroup: number } | null;
  /** With BENCH_CPU_PROF=<dir>: the main thread's CPU profile over the load, written there (the profiler's own cost is in cpuMicros then). */
  profileFile?: string;
}

async function stopTarget(child: ChildProcess): Promise<TargetStats> {
  const stats = once(child, 'message');
  child.kill('SIGTERM');
  const [message] = (await stats) as [TargetStats];
  await once(child, 'exit');
  return message;
}

const cpuPerRequest = (stats: TargetStats, total: number) => ({
  cpuPerRequest: stats.cpuMicros / total,
  mainCpuPerRequest: stats.mainCpuMicros === undefined ? undefined : stats.mainCpuMicros / total,
  engineCpuPerRequest: stats.engineCpuMicros === undefined ? undefined : stats.engineCpuMicros / total,
});

async function load(label: string, options: autocannon.Options): Promise<Figures> {
  const before = machineCpuTicks();
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  const after = machineCpuTicks();
  return {
    idle: before && after ? (after.idle - before.idle) / (after.total - before.total) : undefined,
    label,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

async function bare(): Promise<Figures> {
  const { child, port } = await startTarget(['bare']);
  const figures = await load('bare Fastify POST', {
    url: `http://127.0.0.1:${port}/bare`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ gpa: '0x0', size: '0x2000' }),
  });
  const stats = await stopTarget(child);
  return { ...figures, ...cpuPerRequest(stats, figures.total) };
}

interface PrefaultRun {
  /** Another build's dist/ to run instead of this one's (BENCH_AGAINST). */
  dist?: string;
  synchronous: 'NORMAL' | 'FULL';
  workers: number;
  /** 4K pages per call: 2 is the route's cost, 4096 an engine-heavy call. */
  pages: number;
  /** Page-table budget per VM, when the run maps more than the default 16 MiB allows. */
  tableBytes?: number;
  connections?: number;
}

async function prefault(run: PrefaultRun): Promise<Figures & { stats: TargetStats }> {
  const { child, port, vmIds } = await startTarget(['prefault', String(VMS), run.synchronous], {
    WORKERS: String(run.workers),
    ...(run.dist !== undefined && { BENCH_DIST: run.dist }),
    ...(run.tableBytes !== undefined && { BENCH_TABLE_BYTES: String(run.tableBytes) }),
  });
  const bytes = run.pages * 0x1000;
  let n = 0;
  try {
    const figures = await load(`pre-fault ${run.pages}p, ${run.synchronous}, WORKERS=${run.workers}${run.dist ? ' against' : ''}`, {
      url: `http://127.0.0.1:${port}`,
      connections: run.connections ?? CONNECTIONS,
      ...(RATE !== undefined && { overallRate: RATE }),
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          // Round-robin over the VMs, each call mapping the next fresh pages of its VM.
          setupRequest: (request) => {
            const vm = vmIds[n % VMS]!;
            const gpa = Math.floor(n / VMS) * bytes;
            n += 1;
            return { ...request, path: `/v1/vms/${vm}/vcpus/0/pre-fault`, body: `{"gpa":"0x${gpa.toString(16)}","size":"0x${bytes.toString(16)}"}` };
          },
        },
      ],
    });
    const stats = await stopTarget(child);
    return { ...figures, stats, ...cpuPerRequest(stats, figures.total) };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

const show = (f: Figures): string =>
  `${f.label.padEnd(30)} ${Math.round(f.rps).toString().padStart(7)} req/s   p50 ${f.p50.toFixed(1).padStart(5)} ms   p99 ${f.p99.toFixed(1).padStart(5)} ms` +
  `   server CPU ${(f.cpuPerRequest ?? 0).toFixed(0).padStart(4)} us/req` +
  (f.mainCpuPerRequest === undefined ? '' : ` (main thread ${f.mainCpuPerRequest.toFixed(0)}`) +
  (f.engineCpuPerRequest === undefined ? '' : `, engine workers ${f.engineCpuPerRequest.toFixed(0)}`) +
  (f.mainCpuPerRequest === undefined ? '' : ')') +
  (f.idle === undefined ? '' : `   machine idle ${(100 * f.idle).toFixed(0)}%`) +
  (f.non2xx || f.errors ? `   (non-2xx ${f.non2xx}, errors ${f.errors})` : '');

async function headOfLineFigures(workers: string): Promise<void> {
  const { child, port } = await startTarget(['prefault', '0'], { WORKERS: workers });
  try {
    console.log(showHeadOfLine(`head-of-line, WORKERS=${workers}`, await headOfLine(port)));
  } finally {
    await stopTarget(child);
  }
}

const CORES = availableParallelism();
/**
 * BENCH_ONLY=hol,throughput,scaling,replay runs only those parts; BENCH_WORKERS the worker counts compared;
 * BENCH_AGAINST=<dir>: the throughput rounds run the 2-page route (NORMAL, or BENCH_SYNCHRONOUS) on this build and on
 * another build's dist/ (another commit built elsewhere) back to back, for a before/after in one run.
 */
const only = new Set((process.env.BENCH_ONLY ?? 'hol,throughput,scaling,replay').split(','));
const AGAINST = process.env.BENCH_AGAINST;
/** BENCH_SYNCHRONOUS=FULL: the BENCH_AGAINST rounds run with SQLite's synchronous=FULL instead of NORMAL. */
const AGAINST_SYNCHRONOUS = process.env.BENCH_SYNCHRONOUS === 'FULL' ? ('FULL' as const) : ('NORMAL' as const);
/**
 * BENCH_RATE=<req/s>: the pre-fault runs send at this fixed rate instead of as fast as they
 * can. On a busy machine the server's CPU per call grows as its throughput falls (fewer calls
 * share each turn's group commit and engine message), so a fixed rate both builds can keep up
 * with is the steadier before/after of what a call costs.
 */
const RATE = process.env.BENCH_RATE === undefined ? undefined : Number(process.env.BENCH_RATE);
const workerCounts = (process.env.BENCH_WORKERS ?? `0,${CORES}`).split(',').map(Number);
console.log(
  `${CORES} cores; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at start (other processes share these cores)\n`,
);
if (only.has('hol')) {
  console.log(
    `head-of-line: a ${(BIG_SIZE / 2 ** 30).toFixed(2)} GiB 4K pre-fault on one VM, another VM probed every 2 ms; medians of 5 runs after a warm-up run`,
  );
  for (const workers of workerCounts) await headOfLineFigures(String(workers));
  closeAgent();
  console.log('target: probe p99 < 20 ms, big call at most 15% slower than in-process alone\n');
}
if (only.has('throughput')) {
  // The machine's speed drifts between runs (bare Fastify alone has varied 14k-29k req/s
  // here), so each round runs bare Fastify and every configuration back to back, and the
  // ratios are taken within a round; medians over BENCH_ROUNDS rounds.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per run, ${VMS} VMs for the pre-fault route, ${rounds} rounds`);
  const runs: PrefaultRun[] = AGAINST
    ? workerCounts.flatMap((workers) => [
        { synchronous: AGAINST_SYNCHRONOUS, workers, pages: 2 },
        { synchronous: AGAINST_SYNCHRONOUS, workers, pages: 2, dist: AGAINST },
      ])
    : [
        ...workerCounts.map((workers) => ({ synchronous: 'NORMAL' as const, workers, pages: 2 })),
        { synchronous: 'FULL' as const, workers: workerCounts.at(-1)!, pages: 2 },
      ];
  const label = (run: PrefaultRun) => `pre-fault 2p, ${run.synchronous}, WORKERS=${run.workers}${run.dist ? ' (against)' : ''}`;
  /** Each run's figures over the rounds, by label. */
  const samples = new Map<string, { ratio: number[]; p99: number[]; cpu: number[]; mainCpu: number[] }>();
  for (let round = 1; round <= rounds; round++) {
    const base = await bare();
    console.log(`round ${round}: ${show(base)}`);
    for (const run of runs) {
      const pf = await prefault(run);
      const c = pf.stats.commits!;
      console.log(
        `         ${show(pf)}   ${((100 * pf.rps) / base.rps).toFixed(1)}% of bare; ` +
          `group commits of ${(c.entries / c.groups).toFixed(1)} entries on average`,
      );
      if (pf.stats.profileFile) console.log(showSummary(JSON.parse(readFileSync(pf.stats.profileFile, 'utf8')) as CpuProfile, pf.total, 20));
      const s = samples.get(label(run)) ?? { ratio: [], p99: [], cpu: [], mainCpu: [] };
      samples.set(label(run), s);
      s.ratio.push(pf.rps / base.rps);
      s.p99.push(pf.p99);
      s.cpu.push(pf.cpuPerRequest!);
      if (pf.mainCpuPerRequest !== undefined) s.mainCpu.push(pf.mainCpuPerRequest);
    }
  }
  console.log('medians (target: ratio >= 50% with p99 < 20 ms, and workers not below in-process):');
  for (const run of runs) {
    const s = samples.get(label(run))!;
    console.log(
      `  ${label(run).padEnd(40)} ratio to bare ${(100 * median(s.ratio)).toFixed(1)}%   p99 ${median(s.p99).toFixed(0)} ms` +
        `   server CPU ${median(s.cpu).toFixed(0)} us/req` +
        (s.mainCpu.length > 0 ? ` (main thread ${median(s.mainCpu).toFixed(0)})` : ''),
    );
  }
  console.log('');
}

if (only.has('scaling')) {
  // 16 MiB of 4K leaves per call (about 0.5 ms of engine time): the engine, not the main
  // thread, is what these calls wait for, so this is where more workers can show. Three
  // rounds, 1 and 2 workers interleaved (the machine's speed drifts between runs): medians.
  const pages = 4096;
  console.log(
    `scaling: ${pages}-page (16 MiB of 4K leaves) pre-faults round-robin over ${VMS} VMs, ${CONNECTIONS} connections, ${SECONDS} s, 3 rounds`,
  );
  const rps: Record<number, number[]> = { 1: [], 2: [] };
  for (let round = 0; round < 3; round++)
    for (const workers of [1, 2]) {
      const pf = await prefault({ synchronous: 'NORMAL', workers, pages, tableBytes: 2 ** 28 });
      rps[workers]!.push(pf.rps);
      console.log(show(pf));
    }
  const ratios = rps[1]!.map((one, i) => rps[2]![i]! / one);
  console.log(
    `${''.padEnd(30)} 2 workers / 1 worker: median ${median(ratios).toFixed(2)}x (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}); ` +
      `median req/s ${Math.round(median(rps[1]!))} -> ${Math.round(median(rps[2]!))}\n`,
  );
}
if (only.has('replay')) {
  const replay = await timeReplay(REPLAY_OPERATIONS, 10);
  console.log(`restart + replay of ${REPLAY_OPERATIONS} operations (${replay.vmsLoaded} VMs): ${(replay.ms / 1000).toFixed(2)} s (target < 5 s)`);
}
