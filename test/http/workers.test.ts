// The service with its engine in worker threads (issue 10): a long call on one VM does not
// hold up another VM, one VM's calls still apply and answer in arrival order, a crashed
// worker costs only its calls in flight, full queues answer 503 with Retry-After, and
// /metrics is Prometheus text.
import { afterAll, describe, expect, it } from 'vitest';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

/** 4 GiB of 4K memory at 0 (room for a pre-fault of about a million leaves). */
const BIG_SLOT = { guestPhysAddr: '0x0', size: '0x100000000', backing: { pageSize: '4K', writable: true } };
const CRASH_GPA = '0x7fff000';

const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  removeTempDirs();
});
async function app(options: Parameters<typeof build>[0]): Promise<TestApp> {
  const t = await build(options);
  apps.push(t);
  return t;
}

async function vmWithSlot(t: TestApp, name: string): Promise<string> {
  const vm = await t.api.post('/v1/vms').send({ name });
  expect(vm.status, vm.text).toBe(201);
  const id = vm.body.id as string;
  expect((await t.api.put(`/v1/vms/${id}/memslots/0/0`).send(BIG_SLOT)).status).toBe(200);
  expect((await t.api.post(`/v1/vms/${id}/vcpus`).send({ id: 0 })).status).toBe(201);
  return id;
}

const preFault = (t: TestApp, vmId: string, gpa: string, size: string) => t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa, size });
/**
 * A call that keeps its worker busy: the whole 4 GiB slot, one fault per 4K leaf (about a
 * million, 100 ms or more of engine time). An injected signal, even one due after more
 * iterations than the call has, turns the engine's page runs off (they would fill each 4K
 * table in one loop and finish in a few milliseconds); the answer is the same either way.
 */
const longPreFault = (t: TestApp, vmId: string) =>
  t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x0', size: BIG_SLOT.size, inject: { signalAfterIterations: 1_000_000_000 } });

describe('engine in 2 worker threads', () => {
  let t: TestApp;
  it('answers a short call on VM B while a long pre-fault on VM A is still running', async () => {
    t = await app({ workers: 2 });
    const a = await vmWithSlot(t, 'a');
    const b = await vmWithSlot(t, 'b');
    const finished: string[] = [];
    const long = longPreFault(t, a).then((res) => {
      finished.push('A');
      return res;
    });
    await new Promise((resolve) => setTimeout(resolve, 20)); // A's call has reached its worker
    const short = await t.api.get(`/v1/vms/${b}/vcpus/0`);
    finished.push('B');
    expect(short.status).toBe(200);
    const res = await long;
    expect(res.status).toBe(200);
    expect(res.body.ret).toBe(0);
    expect(res.body.mapped[0]).toMatchObject({ gpa: '0x0', count: 1048576 });
    expect(finished).toEqual(['B', 'A']);
  });

  it("replays a trace in the VM's worker, answering a short call on another VM meanwhile", async () => {
    const w = await app({ workers: 2 });
    const a = await vmWithSlot(w, 'trace-a');
    const b = await vmWithSlot(w, 'trace-b');
    // Engine time A's worker has spent so far (the in-process host would spend none of it there).
    const busy = (): number => w.app.engineHost.stats()[w.app.engineHost.workerOf(a)]!.busySeconds;
    const beforePreFault = busy();
    expect((await preFault(w, a, '0x0', '0x20000000')).body.ret).toBe(0); // entry 3: 131,072 leaves, about 400,000 events (under MAX_TRACED_EVENTS)
    const preFaultBusy = busy() - beforePreFault;
    const beforeTrace = busy();
    const finished: string[] = [];
    const long = w.api.get(`/v1/vms/${a}/operations/3/trace?offset=0&limit=10`).then((res) => {
      finished.push('A');
      return res;
    });
    await new Promise((resolve) => setTimeout(resolve, 20)); // A's trace has reached its worker
    const short = await w.api.get(`/v1/vms/${b}/vcpus/0`);
    finished.push('B');
    expect(short.status).toBe(200);
    const res = await long;
    expect(res.status).toBe(200);
    expect(res.text.split('\n')).toHaveLength(11);
    expect(Number(res.headers['x-trace-events'])).toBeGreaterThan(131_072);
    expect(finished).toEqual(['B', 'A']);
    // The replay and the traced pre-fault ran in A's worker: more engine time there than the pre-fault itself took.
    expect(busy() - beforeTrace).toBeGreaterThan(preFaultBusy);
  });

  it("keeps one VM's order under concurrency: log seq = arrival order, each answer equal to its log entry", async () => {
    const vms = [await vmWithSlot(t, 'o1'), await vmWithSlot(t, 'o2'), await vmWithSlot(t, 'o3')];
    // Interleaved across VMs, sent all at once; per VM, gpa i*0x1000 is its i-th call.
    const sent = Array.from({ length: 20 }, (_, i) =>
      vms.map((vm) => ({ vm, i, res: preFault(t, vm, `0x${(0x1000 * i).toString(16)}`, '0x1000').then((r) => r) })),
    ).flat();
    const answers = await Promise.all(sent.map(async (s) => ({ ...s, res: await s.res })));
    for (const vm of vms) {
      const log = (await t.api.get(`/v1/vms/${vm}/operations?limit=100`)).body.operations as { seq: number; op: { gpa?: string }; result: unknown }[];
      const preFaults = log.filter((e) => e.op.gpa !== undefined);
      expect(preFaults.map((e) => e.op.gpa)).toEqual(Array.from({ length: 20 }, (_, i) => `0x${(0x1000 * i).toString(16)}`));
      expect(preFaults.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
      for (const a of answers.filter((x) => x.vm === vm)) expect(a.res.body).toEqual(preFaults[a.i]!.result);
    }
  });

  it('rebuilds the same VMs after a restart with a different number of workers', async () => {
    const before = await t.api.get('/v1/vms?limit=100');
    const state = async (x: TestApp) =>
      Promise.all(
        (before.body.vms as { id: string }[]).map(async ({ id }) => {
          const roots = (await x.api.get(`/v1/vms/${id}/roots`)).body.roots as { id: string }[];
          return Promise.all(roots.map(async (r) => (await x.api.get(`/v1/vms/${id}/roots/${r.id}/mappings?limit=10000`)).body));
        }),
      );
    const expected = await state(t);
    await t.close();
    apps.splice(apps.indexOf(t), 1);
    for (const workers of [0, 3]) {
      const again = await app({ databaseUrl: t.databaseUrl, workers });
      expect(JSON.stringify(await state(again))).toBe(JSON.stringify(expected));
      await again.close();
      apps.pop();
    }
  });
});

describe('a crashing engine worker', () => {
  it('answers its calls in flight 500, rebuilds its VMs from their logs on a fresh worker, and the next calls work', async () => {
    const t = await app({ workers: 1, crashOnGpa: CRASH_GPA });
    const a = await vmWithSlot(t, 'a');
    const b = await vmWithSlot(t, 'b');
    expect((await preFault(t, a, '0x0', '0x200000')).body.ret).toBe(0);
    expect((await preFault(t, b, '0x400000', '0x3000')).body.ret).toBe(0);
    const crash = await preFault(t, a, CRASH_GPA, '0x1000');
    expect(crash.status).toBe(500);
    expect(crash.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(crash.body).toMatchObject({ status: 500, type: 'urn:prefault-lab:problem:internal', detail: expect.stringMatching(/engine worker/) });
    // Both VMs come back with exactly their committed state; the crashing call left no trace.
    const a2 = await preFault(t, a, '0x0', '0x200000');
    expect(a2.status).toBe(200);
    expect(a2.body.iterations).toEqual([expect.objectContaining({ result: 'SPURIOUS', count: 512 })]);
    const logA = (await t.api.get(`/v1/vms/${a}/operations`)).body.operations as { op: { gpa?: string } }[];
    expect(logA.map((e) => e.op.gpa).filter(Boolean)).toEqual(['0x0', '0x0']);
    const bAgain = await preFault(t, b, '0x400000', '0x3000');
    expect(bAgain.status).toBe(200);
    expect(bAgain.body.iterations).toEqual([expect.objectContaining({ result: 'SPURIOUS', count: 3 })]); // B's pages came back too
    const metrics = await t.api.get('/metrics');
    expect(metrics.text).toMatch(/^engine_worker_restarts_total\{worker="0"\} 1$/m);
  });
});

describe('pipelined calls on one VM', () => {
  const op = (gpa: number) => ({ op: 'pre_fault' as const, vcpuId: 0, gpa: `0x${gpa.toString(16)}`, size: '0x1000', flags: '0x0' });

  it('sends the calls of one turn to the worker together and commits them in one group, in order', async () => {
    const t = await app({ workers: 1 });
    const a = await vmWithSlot(t, 'a');
    const groupsBefore = t.app.liveVms.commits.stats.groups;
    // Ten calls in one turn: none waits for the one before it to come back from the worker.
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => t.app.liveVms.execute(a, op(i * 0x1000))));
    expect(t.app.liveVms.commits.stats.groups - groupsBefore).toBe(1);
    const log = (await t.api.get(`/v1/vms/${a}/operations?limit=100`)).body.operations as { seq: number; op: { gpa?: string }; result: unknown }[];
    const preFaults = log.filter((e) => e.op.gpa !== undefined);
    expect(preFaults.map((e) => [e.seq, e.op.gpa])).toEqual(Array.from({ length: 10 }, (_, i) => [i + 3, `0x${(i * 0x1000).toString(16)}`]));
    expect(answers.map((x) => JSON.parse(x.json) as unknown)).toEqual(preFaults.map((e) => e.result));
  });

  it('keeps no call sent behind one that crashed the worker: what answered 200 is exactly what the log holds', async () => {
    const t = await app({ workers: 1, crashOnGpa: CRASH_GPA });
    const a = await vmWithSlot(t, 'a');
    const gpas = [0x0, 0x1000, Number(CRASH_GPA), 0x2000, 0x3000];
    const settled = await Promise.allSettled(gpas.map((gpa) => t.app.liveVms.execute(a, op(gpa))));
    // The crash and everything sent behind it fail; calls before it in the same batch may fail
    // with it (their answers died with the worker) but never answer 200 without being logged.
    const ok = gpas.filter((_, i) => settled[i]!.status === 'fulfilled');
    expect(settled.slice(2).map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(ok).toEqual(gpas.slice(0, ok.length));
    const log = (await t.api.get(`/v1/vms/${a}/operations`)).body.operations as { op: { gpa?: string } }[];
    expect(log.map((e) => e.op.gpa).filter(Boolean)).toEqual(ok.map((gpa) => `0x${gpa.toString(16)}`));
    // The rebuilt VM holds exactly the logged pages: a pre-fault over the first four finds those mapped.
    const again = await preFault(t, a, '0x0', '0x4000');
    expect(again.status).toBe(200);
    const expected = [
      ...(ok.length > 0 ? [expect.objectContaining({ result: 'SPURIOUS', count: ok.length })] : []),
      expect.objectContaining({ result: 'FIXED', count: 4 - ok.length }),
    ];
    expect(again.body.iterations).toEqual(expected);
  });
});

describe('back-pressure', () => {
  it('answers 503 problem+json with Retry-After once a VM has too many calls queued, and serves again when they drained', async () => {
    const t = await app({ workers: 1, queueBounds: { perVm: 2, perWorker: 100, retryAfterSeconds: 3 } });
    const a = await vmWithSlot(t, 'a');
    const b = await vmWithSlot(t, 'b');
    const long = longPreFault(t, a).then((r) => r); // runs: A's queue holds 1
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Three more on A at once: one waits (A's queue holds 2, its bound), two are refused.
    const more = await Promise.all([1, 2, 3].map((i) => preFault(t, a, `0x${(0x40000000 + i * 0x1000).toString(16)}`, '0x1000').then((r) => r)));
    expect((await t.api.get(`/v1/vms/${b}/vcpus/0`)).status).toBe(200); // VM B's queue is not A's
    expect((await long).status).toBe(200);
    expect(more.map((r) => r.status).sort()).toEqual([200, 503, 503]);
    const refused = more.find((r) => r.status === 503)!;
    expect(refused.headers['retry-after']).toBe('3');
    expect(refused.body).toMatchObject({ status: 503, type: 'urn:prefault-lab:problem:overloaded' });
    expectDocumented(refused, 'preFault');
    expect((await preFault(t, a, '0x40004000', '0x1000')).status).toBe(200); // drained: accepted again
    const log = (await t.api.get(`/v1/vms/${a}/operations`)).body.operations as unknown[];
    expect(log).toHaveLength(2 + 3); // slot, vCPU, the long call, the one that waited, the one after
  });

  it('bounds the calls of all VMs on one worker together', async () => {
    const t = await app({ workers: 1, queueBounds: { perVm: 100, perWorker: 2, retryAfterSeconds: 1 } });
    const [a, b, c] = [await vmWithSlot(t, 'a'), await vmWithSlot(t, 'b'), await vmWithSlot(t, 'c')];
    const long = longPreFault(t, a!).then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const waits = preFault(t, b!, '0x0', '0x1000').then((r) => r); // the worker's queues hold 2 now
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refused = await preFault(t, c!, '0x0', '0x1000');
    expect(refused.status).toBe(503);
    expect(refused.body.detail).toMatch(/engine worker/);
    expect([(await long).status, (await waits).status]).toEqual([200, 200]);
    expect((await preFault(t, c!, '0x0', '0x1000')).status).toBe(200);
  });
});

describe('GET /metrics', () => {
  it('is Prometheus text with queue depth, engine busy time per worker and latency histograms per route', async () => {
    const t = await app({ workers: 2 });
    const a = await vmWithSlot(t, 'a');
    await preFault(t, a, '0x0', '0x200000');
    const res = await t.api.get('/metrics');
    expect(res.status).toBe(200);
    expectDocumented(res, 'getMetrics');
    const samples = parsePrometheus(res.text);
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('engine_queue_depth', { worker: '0' })).toBe(0);
    expect(value('engine_queue_depth', { worker: '1' })).toBe(0);
    const busy = [value('engine_busy_seconds_total', { worker: '0' }), value('engine_busy_seconds_total', { worker: '1' })];
    expect(busy.every((b) => b !== undefined)).toBe(true);
    expect(busy[0]! + busy[1]!).toBeGreaterThan(0);
    const route = '/v1/vms/:vmId/vcpus/:vcpuId/pre-fault';
    expect(value('http_request_duration_seconds_count', { route, method: 'POST', status_code: '200' })).toBe(1);
    expect(value('http_request_duration_seconds_bucket', { route, method: 'POST', status_code: '200', le: '+Inf' })).toBe(1);
    expect(value('engine_vms', { worker: '0' })! + value('engine_vms', { worker: '1' })!).toBe(1);
    // Every sample's family is declared with # TYPE before it.
    const types = new Map([...res.text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    for (const s of samples) expect(types.has(s.name) || types.has(s.name.replace(/_(bucket|sum|count)$/, ''))).toBe(true);
    expect(types.get('http_request_duration_seconds')).toBe('histogram');
    expect(types.get('engine_busy_seconds_total')).toBe('counter');
  });

  it('counts the responses sent while prom-client was not yet loaded (it loads after the first response once ready)', async () => {
    const t = await app({ workers: 0 });
    expect((await t.api.get('/healthz')).status).toBe(200);
    // Scraped this early too, every figure is a number (parsePrometheus refuses NaN: the event-loop delay before its first sample).
    const samples = parsePrometheus((await t.api.get('/metrics')).text);
    const healthz = samples.find((s) => s.name === 'http_request_duration_seconds_count' && s.labels.route === '/healthz');
    expect(healthz).toMatchObject({ labels: { method: 'GET', status_code: '200' }, value: 1 });
  });
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition format (0.0.4): comments, then `name{labels} value` lines. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const l of m![2]?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g) ?? []) labels[l[1]!] = l[2]!;
    const value = m![3] === '+Inf' ? Infinity : m![3] === '-Inf' ? -Infinity : Number(m![3]);
    expect(Number.isNaN(value) && m![3] !== 'NaN', line).toBe(false);
    samples.push({ name: m![1]!, labels, value });
  }
  return samples;
}
