// Group commit: calls that arrive together, on several VMs and pipelined on one VM, share
// one SQLite transaction; when a group fails, every call in it answers the 500
// storage-failure problem and every VM in it is rebuilt from its log.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotWritten } from '../../src/db/log-writer.js';
import { useTestApp, type TestApp } from '../helpers/build.js';
import { writerPrototype } from '../helpers/store.js';
import { createSelftestVm } from '../helpers/fixtures.js';

// In-process engine: every answer is ready in the turn its call arrived, so the group
// boundaries counted here are exact. With engine workers, answers come back over several
// turns and groups are smaller (test/http/workers.test.ts covers the service with workers).
const t = useTestApp({ workers: 0 });
afterEach(() => {
  vi.restoreAllMocks();
});

const preFault = (vmId: string, page: number) =>
  t.app.inject({ method: 'POST', url: `/v1/vms/${vmId}/vcpus/0/pre-fault`, payload: { gpa: 0x3fffffc00000 + page * 0x1000, size: 0x1000 } });

async function snapshot(app: TestApp, vmId: string): Promise<{ roots: unknown; log: unknown }> {
  const roots = (await app.api.get(`/v1/vms/${vmId}/roots`)).body;
  const log = (await app.api.get(`/v1/vms/${vmId}/operations?limit=1000`)).body.operations;
  return { roots, log };
}

describe('group commit', () => {
  it('commits calls that arrive together, across VMs and pipelined on one VM, in far fewer transactions', async () => {
    const vms = await Promise.all([0, 1, 2, 3].map(() => createSelftestVm(t)));
    const before = { ...t.app.liveVms.commits.stats };
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => preFault(vms[i % 4]!, Math.floor(i / 4))));
    for (const res of answers) expect(res.statusCode, res.body).toBe(200);
    const after = t.app.liveVms.commits.stats;
    expect(after.entries - before.entries).toBe(40);
    expect(after.groups - before.groups).toBeLessThanOrEqual(4);
    expect(after.largestGroup).toBeGreaterThanOrEqual(10);
    // Pipelining kept each VM's order: seq 3..12 hold pages 0..9.
    for (const vmId of vms) {
      const log = (await t.api.get(`/v1/vms/${vmId}/operations?limit=1000`)).body.operations as { seq: number; op: { gpa: string } }[];
      expect(log.slice(2).map((e) => e.op.gpa)).toEqual(Array.from({ length: 10 }, (_, i) => `0x${(0x3fffffc00000 + i * 0x1000).toString(16)}`));
    }
  });

  it('answers every call of a failed group with the 500 problem and rebuilds each of its VMs', async () => {
    const vms = await Promise.all([0, 1, 2].map(() => createSelftestVm(t)));
    const before = await Promise.all(vms.map((id) => snapshot(t, id)));
    vi.spyOn(writerPrototype(), 'commit').mockRejectedValueOnce(new Error('disk I/O error'));
    // Two calls per VM: the second applies on top of the first before either is committed.
    const answers = await Promise.all(vms.flatMap((id) => [preFault(id, 0), preFault(id, 1)]));
    for (const res of answers) {
      expect(res.statusCode).toBe(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ type: 'urn:prefault-lab:problem:storage-failure', status: 500, title: 'Storage failure' });
    }
    // Memory equals the database again: none of the six changes is visible or logged.
    expect(await Promise.all(vms.map((id) => snapshot(t, id)))).toEqual(before);
    // And the VMs go on from their last committed state.
    for (const id of vms) {
      const retried = await preFault(id, 0);
      expect(retried.statusCode).toBe(200);
      expect(retried.json().mapped[0]).toMatchObject({ gpa: '0x3fffffc00000', count: 1 });
      const log = (await t.api.get(`/v1/vms/${id}/operations`)).body.operations as { seq: number }[];
      expect(log.map((e) => e.seq)).toEqual([1, 2, 3]);
    }
  });

  it('answers a group that failed before its commit (session lost, lock wait timed out) 503 with Retry-After: not applied, retry', async () => {
    const vmId = await createSelftestVm(t);
    vi.spyOn(writerPrototype(), 'commit').mockRejectedValueOnce(new NotWritten('the transaction failed before its commit: connection terminated'));
    const failed = await preFault(vmId, 0);
    expect(failed.statusCode).toBe(503);
    expect(failed.headers['retry-after']).toBe('1');
    expect(failed.json()).toMatchObject({ type: 'urn:prefault-lab:problem:not-ready', detail: expect.stringMatching(/not applied/) });
    const retried = await preFault(vmId, 0);
    expect(retried.statusCode).toBe(200);
    expect(retried.json().mapped[0]).toMatchObject({ gpa: '0x3fffffc00000', count: 1 });
  });

  it('keeps VMs outside a failed group untouched', async () => {
    const [failing, bystander] = await Promise.all([createSelftestVm(t), createSelftestVm(t)]);
    expect((await preFault(bystander, 5)).statusCode).toBe(200);
    const bystanderBefore = await snapshot(t, bystander);
    vi.spyOn(writerPrototype(), 'commit').mockRejectedValueOnce(new Error('disk I/O error'));
    expect((await preFault(failing, 0)).statusCode).toBe(500);
    expect(await snapshot(t, bystander)).toEqual(bystanderBefore);
  });
});
