// The worker-thread engine host against the in-process one: same answers byte for byte,
// errors that cross the thread keep their meaning, VMs on different workers do not wait
// for each other, and a crashed worker is replaced with its VMs reported lost.
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SimError, withVmDefaults, type Operation } from '../../src/sim/index.js';
import type { EngineHost } from '../../src/service/engine/host.js';
import { InProcessEngineHost } from '../../src/service/engine/in-process.js';
import { EngineWorkerLost, WorkerEngineHost } from '../../src/service/engine/worker-host.js';

const config = withVmDefaults({ name: 't' });
const slot = (size: string): Operation => ({
  op: 'set_memslot',
  addressSpace: 0,
  slot: 0,
  region: { guestPhysAddr: '0x0', size, backing: { pageSize: '4K', writable: true } },
});
const vcpu: Operation = { op: 'create_vcpu', vcpu: { id: 0 } };
const preFault = (gpa: string, size: string): Operation => ({ op: 'pre_fault', vcpuId: 0, gpa, size, flags: '0x0' });

async function setUp(host: EngineHost, vmId: string, memory = '0x40000000'): Promise<void> {
  await host.create(vmId, config, {});
  await host.apply(vmId, slot(memory));
  await host.apply(vmId, vcpu);
}

let hosts: EngineHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  hosts = [];
});
function workerHost(...args: ConstructorParameters<typeof WorkerEngineHost>): WorkerEngineHost {
  const host = new WorkerEngineHost(...args);
  hosts.push(host);
  return host;
}

describe('WorkerEngineHost', () => {
  it('answers every call exactly as the in-process host does', async () => {
    const inProcess = new InProcessEngineHost();
    const workers = workerHost({ workers: 2 });
    const ops = [
      preFault('0x0', '0x200000'),
      preFault('0x1000', '0x3000'),
      { op: 'access', vcpuId: 0, gpa: '0x5000', kind: 'write' } as Operation,
      preFault('0x3ffff000', '0x2000'),
    ];
    const answers: unknown[][] = [[], []];
    for (const [i, host] of [inProcess, workers].entries()) {
      await setUp(host, 'vm');
      for (const op of ops) answers[i]!.push(await host.apply('vm', op));
      const roots = await host.query('vm', { kind: 'roots' });
      answers[i]!.push(
        roots,
        await host.query('vm', { kind: 'mappings', rootId: roots[0]!.id, limit: 100 }),
        await host.query('vm', { kind: 'vcpu', vcpuId: 0 }),
      );
    }
    expect(JSON.stringify(answers[1])).toBe(JSON.stringify(answers[0]));
    expect((answers[0]![0] as { json: string }).json).toContain('"ret":0');
  });

  it('rebuilds the same state from a replayed log as the live VM has', async () => {
    const host = workerHost({ workers: 2 });
    await host.create('live', config, {});
    const ops = [slot('0x40000000'), vcpu, preFault('0x0', '0x400000'), preFault('0x10000000', '0x3000')];
    const entries = [];
    for (const [i, op] of ops.entries()) entries.push({ seq: i + 1, op, resultJson: (await host.apply('live', op)).json });
    await host.create('copy', config, {});
    expect(host.workerOf('copy')).not.toBe(host.workerOf('live'));
    expect(await host.replay('copy', entries)).toEqual({ diverged: 0, failures: [] });
    const read = (id: string) => host.query(id, { kind: 'finalState' });
    const copy = await read('copy');
    expect(Object.values(copy.mappings)[0]!.length).toBeGreaterThan(0);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(await read('live')));
  });

  it('traces inside the worker as the in-process host does, fed the log a batch at a time, keeping only the range asked for', async () => {
    async function* before() {
      yield [slot('0x400000')];
      yield [vcpu];
    }
    const target = { op: preFault('0x0', '0x400000'), seq: 3, limits: {} };
    const answers = [];
    for (const host of [new InProcessEngineHost(), workerHost({ workers: 1 })]) {
      await host.create('vm', config, {});
      answers.push(await host.trace('vm', target, before(), { offset: 1000, limit: 3 }));
      // An entry that is not a fault is refused before anything is replayed, as a SimError naming seq.
      await expect(host.trace('vm', { ...target, op: vcpu }, before(), { offset: 0, limit: 1 })).rejects.toMatchObject({
        code: 'invalid',
        field: 'seq',
      });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]!.total).toBeGreaterThan(1024); // a few events per 4K page
    expect(answers[0]!.text.split('\n').map((l) => /\.(\d{6}): /.exec(l)?.[1])).toEqual(['001000', '001001', '001002', undefined]);
  });

  it('keeps a SimError a SimError across the thread, with its code and field', async () => {
    const host = workerHost({ workers: 1 });
    await setUp(host, 'vm');
    const error = await host.apply('vm', { op: 'create_vcpu', vcpu: { id: 0 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimError);
    expect((error as SimError).code).toBe('conflict');
    const missing = await host.query('nope', { kind: 'vcpus' }).catch((e: unknown) => e);
    expect((missing as SimError).code).toBe('not_found');
  });

  it('spreads VMs over the workers and answers a short call on one while another runs a long call', async () => {
    const host = workerHost({ workers: 2 });
    await setUp(host, 'big', '0x100000000');
    await setUp(host, 'small');
    expect(host.workerOf('big')).not.toBe(host.workerOf('small'));
    const order: string[] = [];
    const big = host.apply('big', preFault('0x0', '0x40000000')).then(() => order.push('big'));
    await new Promise((r) => setTimeout(r, 5)); // the big call is in its worker
    const small = host.query('small', { kind: 'vcpus' }).then(() => order.push('small'));
    await Promise.all([big, small]);
    expect(order).toEqual(['small', 'big']);
  });

  it('replaces a crashed worker: calls in flight fail, its VMs are reported lost until rebuilt', async () => {
    const lost: string[][] = [];
    const host = workerHost({ workers: 1, onLost: (ids) => lost.push(ids.sort()) }, { crashOnGpa: '0xdead000' });
    await setUp(host, 'a');
    await setUp(host, 'b');
    const crash = host.apply('a', preFault('0xdead000', '0x1000'));
    const behind = host.query('b', { kind: 'vcpus' }); // queued on the same worker behind the crash
    await expect(crash).rejects.toBeInstanceOf(EngineWorkerLost);
    await expect(behind).rejects.toBeInstanceOf(EngineWorkerLost);
    expect(lost).toEqual([['a', 'b']]);
    await expect(host.query('a', { kind: 'vcpus' })).rejects.toBeInstanceOf(EngineWorkerLost);
    await setUp(host, 'a'); // the rebuild: create + the log
    expect(await host.query('a', { kind: 'vcpus' })).toHaveLength(1);
    expect(host.stats()[0]!.restarts).toBe(1);
  });

  it('answers a short call sent in the same batch ahead of a long one before the long one ends', async () => {
    const host = workerHost({ workers: 1 });
    await setUp(host, 'big', '0x100000000');
    await setUp(host, 'small');
    const at: Record<string, number> = {};
    const done = (name: string) => () => (at[name] = performance.now());
    // All three are made in one turn, so they reach the worker as one message, short first.
    const small = host.query('small', { kind: 'vcpus' }).then(done('small'));
    const big = host.apply('big', preFault('0x0', '0x40000000')).then(done('big')); // 262,144 leaves: tens of ms
    const afterBig = host.query('small', { kind: 'roots' }).then(done('after big'));
    await Promise.all([small, big, afterBig]);
    expect(at.small! + 5).toBeLessThan(at.big!); // answered before the long call ran, not with it
    expect(at.big!).toBeLessThanOrEqual(at['after big']!);
  });

  it.runIf(process.platform === 'linux')('runs its worker threads at the configured nice value, the main thread untouched', async () => {
    const niceOf = (tid: string): number => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]); // field 19: nice
    };
    const before = readdirSync('/proc/self/task').filter((tid) => niceOf(tid) === 7).length;
    const host = workerHost({ workers: 2, nice: 7 });
    await setUp(host, 'a');
    await setUp(host, 'b'); // both workers have answered: both are up
    const after = readdirSync('/proc/self/task').filter((tid) => niceOf(tid) === 7).length;
    expect(after - before).toBe(2);
    expect(niceOf(String(process.pid))).toBe(0);
  });
});
