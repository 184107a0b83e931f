// Calls on one VM are serialised and logged in the order applied; no change is visible
// before it is committed; a failed commit leaves memory equal to the database.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../../src/service/group-commit.js';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';
import { writerPrototype } from '../helpers/store.js';
import { createSelftestVm, onlyRootId } from '../helpers/fixtures.js';
import { expectDocumented } from '../helpers/openapi.js';

let t: TestApp;
beforeAll(async () => {
  t = await build();
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await t.close();
  removeTempDirs();
});

describe('one VM, many concurrent calls', () => {
  it('applies and logs them one at a time: seq 1..n with no gaps, each logged result equal to its answer', async () => {
    const vmId = await createSelftestVm(t);
    const calls = Array.from({ length: 24 }, (_, i) =>
      t.api
        .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
        .send({ gpa: 0x3fffffc00000 + i * 0x1000, size: 0x1000 })
        .then((res) => res),
    );
    const answers = await Promise.all(calls);
    for (const res of answers) expect(res.body.ret).toBe(0);
    const log = (await t.api.get(`/v1/vms/${vmId}/operations?limit=1000`)).body.operations as { seq: number; op: { gpa: string }; result: unknown }[];
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    const byGpa = new Map(answers.map((res) => [res.body.iterations[0].gpa as string, res.body]));
    for (const entry of log.slice(2)) expect(entry.result).toEqual(byGpa.get(entry.op.gpa));
    const rootId = await onlyRootId(t, vmId);
    const mappings = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/mappings`);
    expect(mappings.body.mappings).toEqual([expect.objectContaining({ gpa: '0x3fffffc00000', count: 24 })]);
  });

  it('keeps a change invisible to readers until its log entry is committed', async () => {
    const vmId = await createSelftestVm(t);
    let releaseCommit!: () => void;
    const commitHeld = new Promise<void>((resolve) => (releaseCommit = resolve));
    // Hold the group commit (everything enqueued meanwhile joins the held group).
    const flush = GroupCommit.prototype.flush;
    vi.spyOn(GroupCommit.prototype, 'flush').mockImplementation(function (this: GroupCommit) {
      return commitHeld.then(() => flush.call(this));
    });
    const preFault = t.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send({ gpa: '0x3fffffc00000', size: '0x200000' })
      .then((res) => res);
    let rootsAnswered = false;
    const roots = t.api.get(`/v1/vms/${vmId}/roots`).then((res) => {
      rootsAnswered = true;
      return res;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(rootsAnswered).toBe(false); // the read waits behind the uncommitted pre-fault
    releaseCommit();
    expect((await preFault).body.ret).toBe(0);
    expect((await roots).body.roots[0].counts['4K']).toBe(512);
  });

  it('rolls the VM back to its log when a commit fails, answering a 500 problem', async () => {
    const vmId = await createSelftestVm(t);
    const rootsBefore = (await t.api.get(`/v1/vms/${vmId}/roots`)).body;
    vi.spyOn(writerPrototype(), 'commit').mockRejectedValueOnce(new Error('disk I/O error'));
    const failed = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc00000', size: '0x200000' });
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ type: 'urn:prefault-lab:problem:storage-failure', status: 500 });
    expect(failed.headers['content-type']).toMatch(/^application\/problem\+json/);
    // Memory equals the database again: the uncommitted pre-fault left no trace.
    expect((await t.api.get(`/v1/vms/${vmId}/roots`)).body).toEqual(rootsBefore);
    const retried = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc00000', size: '0x200000' });
    expect(retried.status).toBe(200);
    expectDocumented(retried, 'preFault');
    expect(retried.body.mapped[0]).toMatchObject({ count: 512 });
    const log = (await t.api.get(`/v1/vms/${vmId}/operations`)).body.operations;
    expect(log.map((e: { seq: number; kind: string }) => [e.seq, e.kind])).toEqual([
      [1, 'set_memslot'],
      [2, 'create_vcpu'],
      [3, 'pre_fault'],
    ]);
  });

  it('runs calls on different VMs independently', async () => {
    const [a, b] = await Promise.all([createSelftestVm(t), createSelftestVm(t)]);
    const results = await Promise.all(
      [a, b, a, b].map((vmId, i) =>
        t.api
          .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
          .send({ gpa: 0x3fffffc00000 + i * 0x1000, size: 0x1000 })
          .then((res) => res),
      ),
    );
    for (const res of results) expect(res.body.ret).toBe(0);
    for (const vmId of [a, b]) {
      const log = (await t.api.get(`/v1/vms/${vmId}/operations`)).body.operations;
      expect(log.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4]);
    }
  });
});
