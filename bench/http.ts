// HTTP throughput and latency (npm run bench:http): a bare Fastify POST route against the
// pre-fault route (2-page pre-faults on existing VMs, durable group-committed log), both
// driven by autocannon with 50 connections against a server in a child process; then the
// time to restart on a database of 100,000 logged operations. Prints figures beside the
// targets of issue 4; nothing here is asserted.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { timeReplay } from './replay-db.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const VMS = 8;
const REPLAY_OPERATIONS = 100_000;
const TARGET = fileURLToPath(new URL('./http-target.ts', import.meta.url));

interface Figures {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function startTarget(args: string[]): Promise<{ child: ChildProcess; port: number; vmIds: string[] }> {
  const child = fork(TARGET, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = (await once(child, 'message')) as [{ port: number; vmIds: string[] }];
  return { child, ...message };
}

async function stopTarget(child: ChildProcess): Promise<unknown> {
  const stats = once(child, 'message');
  child.kill('SIGTERM');
  const [message] = (await stats) as [{ stats: unknown }];
  await once(child, 'exit');
  return message.stats;
}

async function load(label: string, options: autocannon.Options): Promise<Figures> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  return { label, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

async function bare(): Promise<Figures> {
  const { child, port } = await startTarget(['bare']);
  try {
    return await load('bare Fastify POST', {
      url: `http://127.0.0.1:${port}/bare`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ gpa: '0x0', size: '0x2000' }),
    });
  } finally {
    await stopTarget(child);
  }
}

async function prefault(synchronous: 'NORMAL' | 'FULL'): Promise<Figures & { stats: unknown }> {
  const { child, port, vmIds } = await startTarget(['prefault', String(VMS), synchronous]);
  let n = 0;
  try {
    const figures = await load(`pre-fault, synchronous=${synchronous}`, {
      url: `http://127.0.0.1:${port}`,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          // Round-robin over the VMs, each call mapping the next two fresh 4K pages of its VM.
          setupRequest: (request) => {
            const vm = vmIds[n % VMS]!;
            const gpa = Math.floor(n / VMS) * 0x2000;
            n += 1;
            return { ...request, path: `/v1/vms/${vm}/vcpus/0/pre-fault`, body: `{"gpa":"0x${gpa.toString(16)}","size":"0x2000"}` };
          },
        },
      ],
    });
    return { ...figures, stats: await stopTarget(child) };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

const show = (f: Figures): string =>
  `${f.label.padEnd(30)} ${Math.round(f.rps).toString().padStart(7)} req/s   p50 ${f.p50.toFixed(1).padStart(5)} ms   p99 ${f.p99.toFixed(1).padStart(5)} ms` +
  (f.non2xx || f.errors ? `   (non-2xx ${f.non2xx}, errors ${f.errors})` : '');

console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per run, ${VMS} VMs for the pre-fault route\n`);
const base = await bare();
console.log(show(base));
for (const synchronous of ['NORMAL', 'FULL'] as const) {
  const pf = await prefault(synchronous);
  console.log(show(pf));
  console.log(`${''.padEnd(30)} ratio to bare ${((100 * pf.rps) / base.rps).toFixed(1)}% (target >= 25%), p99 target < 20 ms; group commits ${JSON.stringify(pf.stats)}`);
}
const replay = await timeReplay(REPLAY_OPERATIONS, 10);
console.log(`\nrestart + replay of ${REPLAY_OPERATIONS} operations (${replay.vmsLoaded} VMs): ${(replay.ms / 1000).toFixed(2)} s (target < 5 s)`);
