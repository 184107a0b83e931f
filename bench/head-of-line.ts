// Head-of-line blocking (issue 10): while one VM runs a pre-fault of just under 8 GiB of
// 4K memory (about 2 M leaves, just under the default 16 MiB page-table budget), another
// VM is probed with a small read (GET one vCPU) every PROBE_EVERY_MS. Reports the probes'
// latency while the big call ran, and the big call's duration with and without probes.
// Each run uses two fresh VMs on the server (the big VM is deleted afterwards).
import { request, Agent } from 'node:http';

/** Just under 8 GiB: 4080 leaf tables + 10 upper ones stay inside the 4096-table budget. */
export const BIG_SIZE = 0x2_0000_0000 - 0x200_0000;
const PROBE_EVERY_MS = 2;
const SLOT = { guestPhysAddr: '0x0', size: '0x400000000', backing: { pageSize: '4K', writable: true } };

interface Reply {
  status: number;
  body: string;
  ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** One HTTP call on a kept-alive socket, timed from send to the last byte. */
function call(port: number, method: string, path: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function ok(port: number, method: string, path: string, body?: unknown): Promise<Reply> {
  const reply = await call(port, method, path, body);
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.body}`);
  return reply;
}

async function newVm(port: number, name: string): Promise<string> {
  const id = (JSON.parse((await ok(port, 'POST', '/v1/vms', { name })).body) as { id: string }).id;
  await ok(port, 'PUT', `/v1/vms/${id}/memslots/0/0`, SLOT);
  await ok(port, 'POST', `/v1/vms/${id}/vcpus`, { id: 0 });
  return id;
}

export const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
export const median = (xs: number[]): number =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

export interface HeadOfLineRun {
  /** The big call alone (no probes running). */
  bigAloneMs: number;
  /** The big call while the probes ran. */
  bigMs: number;
  probes: number;
  p50: number;
  p99: number;
  max: number;
}

/** One run on a server listening on `port`. */
export async function headOfLineRun(port: number): Promise<HeadOfLineRun> {
  const alone = await newVm(port, 'hol-alone');
  const bigAlone = await ok(port, 'POST', `/v1/vms/${alone}/vcpus/0/pre-fault`, { gpa: '0x0', size: `0x${BIG_SIZE.toString(16)}` });
  if ((JSON.parse(bigAlone.body) as { ret: number }).ret !== 0)
    throw new Error(`big pre-fault did not map everything: ${bigAlone.body.slice(0, 300)}`);
  await ok(port, 'DELETE', `/v1/vms/${alone}`);

  const big = await newVm(port, 'hol-big');
  const probe = await newVm(port, 'hol-probe');
  const latencies: number[] = [];
  let running = true;
  let bigRunning = false;
  const prober = (async () => {
    while (running) {
      const started = performance.now();
      const during = bigRunning; // only probes sent while the big call runs count
      const r = await ok(port, 'GET', `/v1/vms/${probe}/vcpus/0`);
      if (during) latencies.push(r.ms);
      const wait = PROBE_EVERY_MS - (performance.now() - started);
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
  })();
  await new Promise((res) => setTimeout(res, 20)); // the prober is up before the big call goes
  bigRunning = true;
  const bigCall = await ok(port, 'POST', `/v1/vms/${big}/vcpus/0/pre-fault`, { gpa: '0x0', size: `0x${BIG_SIZE.toString(16)}` });
  bigRunning = false;
  running = false;
  await prober;
  await ok(port, 'DELETE', `/v1/vms/${big}`);
  await ok(port, 'DELETE', `/v1/vms/${probe}`);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    bigAloneMs: bigAlone.ms,
    bigMs: bigCall.ms,
    probes: sorted.length,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? NaN,
  };
}

/** One warm-up run (JIT, first allocations), then `runs` runs; the median of each figure. */
export async function headOfLine(port: number, runs = 5): Promise<HeadOfLineRun> {
  await headOfLineRun(port);
  const all: HeadOfLineRun[] = [];
  for (let i = 0; i < runs; i++) all.push(await headOfLineRun(port));
  const pick = (k: keyof HeadOfLineRun) => median(all.map((r) => r[k]));
  return { bigAloneMs: pick('bigAloneMs'), bigMs: pick('bigMs'), probes: pick('probes'), p50: pick('p50'), p99: pick('p99'), max: pick('max') };
}

export const showHeadOfLine = (label: string, r: HeadOfLineRun): string =>
  `${label.padEnd(30)} probe p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  max ${r.max.toFixed(1).padStart(6)} ms ` +
  `(${r.probes} probes)   big call ${r.bigMs.toFixed(0)} ms with probes, ${r.bigAloneMs.toFixed(0)} ms alone`;

export function closeAgent(): void {
  agent.destroy();
}
