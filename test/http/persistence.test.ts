// Restart persistence: a VM rebuilt from its log on a new app equals the one before, and
// deleting a VM removes its rows.
import { queryRows } from '../helpers/store.js';
import { afterAll, describe, expect, it } from 'vitest';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';
import { createSelftestVm, createVm, THP_SLOT } from '../helpers/fixtures.js';

afterAll(removeTempDirs);

/** Everything a client can read about a VM, keyed by URL. */
async function snapshot(t: TestApp, vmId: string): Promise<Record<string, unknown>> {
  const urls = [
    `/v1/vms/${vmId}`,
    `/v1/vms/${vmId}/vcpus`,
    `/v1/vms/${vmId}/memslots`,
    `/v1/vms/${vmId}/memory-attributes`,
    `/v1/vms/${vmId}/roots`,
    `/v1/vms/${vmId}/operations`,
  ];
  const roots = (await t.api.get(`/v1/vms/${vmId}/roots`)).body.roots as { id: string }[];
  for (const root of roots) urls.push(`/v1/vms/${vmId}/roots/${root.id}/mappings?limit=1000`);
  const out: Record<string, unknown> = {};
  for (const url of urls) {
    const res = await t.api.get(url);
    expect(res.status, url).toBe(200);
    out[url] = res.body;
  }
  return out;
}

describe('restart', () => {
  it('rebuilds VMs from the log: roots and mappings are exactly equal after a restart', async () => {
    const first = await build();
    const vmId = await createSelftestVm(first);
    await first.api.put(`/v1/vms/${vmId}/memslots/0/1`).send(THP_SLOT);
    await first.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 1, smm: true });
    await first.api.put(`/v1/vms/${vmId}/memslots/1/0`).send({ guestPhysAddr: '0x100000000', size: '0x200000' });
    await first.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc00000', size: '0x200000' });
    await first.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x100000000', size: '0x600000' });
    await first.api.post(`/v1/vms/${vmId}/vcpus/1/pre-fault`).send({ gpa: '0x100000000', size: '0x200000' });
    await first.api.post(`/v1/vms/${vmId}/vcpus/0/access`).send({ gpa: '0x100001000', kind: 'write' });
    await first.api.patch(`/v1/vms/${vmId}/vcpus/1`).send({ smm: false });
    const snapBefore = await snapshot(first, vmId);
    expect((snapBefore[`/v1/vms/${vmId}/roots`] as { roots: unknown[] }).roots.length).toBeGreaterThanOrEqual(2);
    const otherVm = await createVm(first, { name: 'second' });
    await first.close();

    const second = await build({ databaseUrl: first.databaseUrl });
    try {
      expect(await snapshot(second, vmId)).toEqual(snapBefore);
      const listed = await second.api.get('/v1/vms');
      expect(listed.body.vms.map((vm: { id: string }) => vm.id)).toEqual([vmId, otherVm]);
      expect((await second.api.get('/readyz')).body).toEqual({ status: 'ready', vms: 2 });
      // The rebuilt VM keeps working and continues its log.
      const more = await second.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x100600000', size: '0x1000' });
      expect(more.body.ret).toBe(0);
      const log = (await second.api.get(`/v1/vms/${vmId}/operations`)).body.operations;
      expect(log.at(-1)).toMatchObject({ seq: 11, kind: 'pre_fault' });
    } finally {
      await second.close();
    }
  });

  it('mirrors memslots, vCPU modes and attribute ranges into their tables', async () => {
    const t = await build();
    const vmId = await createVm(t, { name: 'cc', type: 'sw_protected' });
    await t.api.put(`/v1/vms/${vmId}/memslots/0/0`).send({ guestPhysAddr: '0x0', size: '0x400000', flags: ['guest_memfd'] });
    await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 });
    await t.api.patch(`/v1/vms/${vmId}/vcpus/0`).send({ maxPhysAddr: 40 });
    await t.api.put(`/v1/vms/${vmId}/memory-attributes`).send({ address: '0x200000', size: '0x200000', private: true });
    await t.close();
    const rows = (sql: string) => queryRows(t.databaseUrl, sql, vmId);
    expect(await rows('SELECT "addressSpace", "slot", "guestPhysAddr", "size", "flags" FROM "Memslot" WHERE "vmId" = ?')).toEqual([
      { addressSpace: 0, slot: 0, guestPhysAddr: '0x0000000000000000', size: '0x0000000000400000', flags: '["guest_memfd"]' },
    ]);
    expect(await rows('SELECT "id", "maxPhysAddr", "smm", "guestMode", "nestedTdp" FROM "Vcpu" WHERE "vmId" = ?')).toEqual([
      { id: 0, maxPhysAddr: 40, smm: 0, guestMode: 0, nestedTdp: 1 },
    ]);
    expect(await rows('SELECT "address", "size", "private" FROM "MemoryAttributeRange" WHERE "vmId" = ?')).toEqual([
      { address: '0x0000000000200000', size: '0x0000000000200000', private: 1 },
    ]);
  });

  it('DELETE removes the VM, its log and its mirror rows; it stays gone after a restart', async () => {
    const t = await build();
    const vmId = await createSelftestVm(t);
    const keep = await createSelftestVm(t);
    expect((await t.api.delete(`/v1/vms/${vmId}`)).status).toBe(204);
    await t.close();
    for (const table of ['Vm', 'Operation', 'Memslot', 'Vcpu']) {
      const column = table === 'Vm' ? 'id' : 'vmId';
      const count = async (id: string) =>
        (await queryRows<{ n: number }>(t.databaseUrl, `SELECT count(*) AS "n" FROM "${table}" WHERE "${column}" = ?`, id))[0]!.n;
      expect(await count(vmId), table).toBe(0);
      expect(await count(keep), table).toBeGreaterThan(0);
    }
    const reopened = await build({ databaseUrl: t.databaseUrl });
    try {
      expect((await reopened.api.get(`/v1/vms/${vmId}`)).status).toBe(404);
      expect((await reopened.api.get(`/v1/vms/${keep}`)).status).toBe(200);
    } finally {
      await reopened.close();
    }
  });
});
