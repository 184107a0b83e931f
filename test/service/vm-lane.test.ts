// VmLane on its own: a fake engine whose answers the test releases in any order, and a fake
// group commit whose groups the test commits, fails or fences. No database, no Fastify.
import { describe, expect, it } from 'vitest';
import type { LogEntryWrite } from '../../src/db/log-writer.js';
import { CallBounds } from '../../src/service/call-bounds.js';
import type { Applied } from '../../src/service/engine/host.js';
import { ServiceError } from '../../src/service/errors.js';
import { LeaseLost } from '../../src/service/group-commit.js';
import { VmLane, type LaneOptions } from '../../src/service/vm-lane.js';
import { SimError, withVmDefaults, type Operation } from '../../src/sim/index.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const op = (page: number): Operation => ({ op: 'pre_fault', vcpuId: 0, gpa: `0x${(page * 0x1000).toString(16)}`, size: '0x1000', flags: '0x0' });
const applied = (page: number): Applied => ({ json: `{"page":${page}}`, projection: {} });
const gpaOf = (o: Operation) => ('gpa' in o ? o.gpa : '');

/** Every apply waits until the test answers it; rebuild answers at once with the seq `logged` says. */
class FakeEngine {
  readonly sent: { op: Operation; reply: Deferred<Applied> }[] = [];
  rebuilds = 0;
  logged = 0;
  apply(o: Operation): Promise<Applied> {
    const reply = deferred<Applied>();
    this.sent.push({ op: o, reply });
    return reply.promise;
  }
  rebuild(): Promise<number> {
    this.rebuilds += 1;
    return Promise.resolve(this.logged);
  }
  answer(i: number, page = i): void {
    this.sent[i]!.reply.resolve(applied(page));
  }
}

/** Entries wait in one open group until the test commits, fails (marking the lane lost first, as GroupCommit does) or fences it. */
class FakeCommits {
  readonly entries: LogEntryWrite[] = [];
  private group: { entry: LogEntryWrite; done: Deferred<void> }[] = [];
  lane?: VmLane;
  enqueue(entry: LogEntryWrite): Promise<void> {
    const done = deferred<void>();
    this.entries.push(entry);
    this.group.push({ entry, done });
    return done.promise;
  }
  commit(): void {
    for (const p of this.group.splice(0)) p.done.resolve();
  }
  fail(error = new Error('disk full')): void {
    this.lane?.lost();
    for (const p of this.group.splice(0)) p.done.reject(error);
  }
  fence(): void {
    for (const p of this.group.splice(0)) p.done.reject(new LeaseLost('moved'));
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const outcome = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: value }),
    (error: Error) => ({
      status: error instanceof ServiceError ? error.status : error instanceof SimError ? 'refused' : 'error',
      message: error.message,
    }),
  );

function lane(options: Partial<LaneOptions> = {}, lastSeq = 0) {
  const engine = new FakeEngine();
  engine.logged = lastSeq;
  const commits = new FakeCommits();
  const record = { id: 'vm-1', createdAt: new Date(0), owner: null, config: withVmDefaults({ name: 'lane' }) };
  const vm = new VmLane(record, lastSeq, {
    engine,
    commits,
    admit: () => () => undefined,
    maxOperations: 1000,
    log: { error: () => undefined },
    ...options,
  });
  commits.lane = vm;
  return { vm, engine, commits };
}

describe('VmLane', () => {
  it('logs answers that arrive out of order in send order, each seq its send position', async () => {
    const { vm, engine, commits } = lane({}, 5);
    const calls = [1, 2, 3].map((page) => outcome(vm.submit(op(page))));
    await nextTurn();
    expect(engine.sent.map((s) => gpaOf(s.op))).toEqual(['0x1000', '0x2000', '0x3000']);
    engine.answer(2, 3);
    engine.answer(1, 2);
    await nextTurn();
    expect(commits.entries).toEqual([]); // the first answer is not in: nothing is logged ahead of it
    engine.answer(0, 1);
    await nextTurn();
    expect(commits.entries.map((e) => [e.seq, gpaOf(e.op), e.resultJson])).toEqual([
      [6, '0x1000', '{"page":1}'],
      [7, '0x2000', '{"page":2}'],
      [8, '0x3000', '{"page":3}'],
    ]);
    commits.commit();
    expect(await Promise.all(calls)).toEqual([1, 2, 3].map((page) => ({ ok: { json: `{"page":${page}}` } })));
  });

  it('answers a change only once its entry is committed, and runs a read only after it', async () => {
    const { vm, engine, commits } = lane();
    let answered = false;
    const call = vm.submit(op(1)).then(() => (answered = true));
    const seen: number[] = [];
    const read = vm.read((seq) => seen.push(seq));
    await nextTurn();
    engine.answer(0);
    await nextTurn();
    expect(commits.entries).toHaveLength(1);
    expect([answered, seen]).toEqual([false, []]);
    commits.commit();
    await Promise.all([call, read]);
    expect([answered, seen]).toEqual([true, [1]]);
  });

  it('after a failed group: its calls answer 500, a change answered afterwards is not logged, and the VM is rebuilt from its log', async () => {
    const { vm, engine, commits } = lane({}, 3);
    const first = outcome(vm.submit(op(1)));
    const second = outcome(vm.submit(op(2)));
    await nextTurn();
    engine.answer(0);
    await nextTurn();
    commits.fail();
    engine.answer(1); // applied on top of the lost change
    expect(await first).toMatchObject({ status: 500, message: expect.stringMatching(/could not be committed/) });
    expect(await second).toMatchObject({ status: 500, message: expect.stringMatching(/earlier call on this VM failed/) });
    expect(commits.entries.map((e) => e.seq)).toEqual([4]);
    await nextTurn();
    expect(engine.rebuilds).toBe(1);
    const third = outcome(vm.submit(op(3)));
    await nextTurn();
    engine.answer(2);
    await nextTurn();
    commits.commit();
    expect(await third).toEqual({ ok: { json: '{"page":2}' } });
    expect(commits.entries.map((e) => e.seq)).toEqual([4, 4]); // the rebuilt log ends at 3: the lost seq 4 is taken again
  });

  it('after a lost worker (an engine error that is not a refusal), logs nothing sent after it and rebuilds before the next call', async () => {
    const { vm, engine, commits } = lane();
    const calls = [1, 2].map((page) => outcome(vm.submit(op(page))));
    await nextTurn();
    engine.answer(1); // the later change is in before the failure: it still must not be logged
    engine.sent[0]!.reply.reject(new Error('worker exited'));
    expect(await Promise.all(calls)).toEqual([
      { status: 'error', message: 'worker exited' },
      { status: 500, message: expect.stringMatching(/earlier call on this VM failed/) },
    ]);
    await nextTurn();
    expect([commits.entries, engine.rebuilds]).toEqual([[], 1]);
  });

  it('a refusal (SimError) changes nothing: not logged, no rebuild, the next change gets the next seq', async () => {
    const { vm, engine, commits } = lane();
    const refused = outcome(vm.submit(op(1)));
    const next = outcome(vm.submit(op(2)));
    await nextTurn();
    engine.sent[0]!.reply.reject(new SimError('invalid', 'no such memslot'));
    engine.answer(1);
    await nextTurn();
    commits.commit();
    expect(await refused).toEqual({ status: 'refused', message: 'no such memslot' });
    expect(await next).toEqual({ ok: { json: '{"page":1}' } });
    expect([commits.entries.map((e) => e.seq), engine.rebuilds]).toEqual([[1], 0]);
  });

  it('fenced: a change whose group finds the lease moved answers 503, and calls still waiting never reach the engine', async () => {
    const { vm, engine, commits } = lane();
    const fenced = outcome(vm.submit(op(1)));
    const read = outcome(vm.read(() => 'read'));
    await nextTurn();
    engine.answer(0);
    await nextTurn();
    const waiting = outcome(vm.submit(op(2))); // behind the read, which waits for the fenced commit
    vm.moved();
    commits.fence();
    expect(await fenced).toMatchObject({ status: 503, message: expect.stringMatching(/moved to another instance/) });
    expect(await read).toMatchObject({ status: 503 });
    expect(await waiting).toMatchObject({ status: 503 });
    expect(engine.sent).toHaveLength(1);
  });

  it('counts a call against the bounds until it is committed, not only until answered', async () => {
    const bounds = new CallBounds({ perVm: 2, perWorker: 100, retryAfterSeconds: 1 }, () => 0);
    const { vm, engine, commits } = lane({ admit: () => bounds.admit('vm-1') });
    const calls = [1, 2].map((page) => vm.submit(op(page)));
    await nextTurn();
    engine.answer(0);
    engine.answer(1);
    await nextTurn();
    expect(await outcome(vm.submit(op(3)))).toMatchObject({ status: 503, message: expect.stringMatching(/2 calls queued/) });
    expect(engine.sent).toHaveLength(2); // the refused call never reached the engine
    commits.commit();
    await Promise.all(calls);
    expect(bounds.depths(1).byWorker).toEqual([0]);
    const third = vm.submit(op(3));
    await nextTurn();
    expect(engine.sent).toHaveLength(3);
    engine.answer(2);
    await nextTurn();
    commits.commit();
    await third;
  });

  it('refuses a change past maxOperations, counting those still in flight (429)', async () => {
    const { vm, engine } = lane({ maxOperations: 3 }, 1);
    for (const page of [1, 2]) void outcome(vm.submit(op(page)));
    expect(await outcome(vm.submit(op(3)))).toMatchObject({ status: 429 });
    expect(engine.sent).toHaveLength(2);
  });
});
