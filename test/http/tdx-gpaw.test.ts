// tdxGpaw over HTTP (contract v1.2): validated, echoed, persisted and rebuilt after a
// restart, exported as vm.tdx_gpaw and imported back.
import { afterAll, describe, expect, it } from 'vitest';
import { build, removeTempDirs } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

afterAll(removeTempDirs);

const HOST52 = { maxPhysAddr: 52, maxTdpLevel: 5 };
const BIT47_SLOT = { guestPhysAddr: '0x800000000000', size: '0x200000', userspaceAddr: '0x10000000000' };

describe('tdxGpaw', () => {
  it('is refused where the kernel refuses it, echoed for a TD, survives a restart, and round-trips through export/import', async () => {
    const first = await build();
    try {
      for (const body of [
        { name: 'a', type: 'tdx', tdxGpaw: 52, host: { maxPhysAddr: 52, maxTdpLevel: 4 } },
        { name: 'b', type: 'tdx', tdxGpaw: 50, host: HOST52 },
        { name: 'c', tdxGpaw: 48 },
      ]) {
        const res = await first.api.post('/v1/vms').send(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(JSON.stringify(res.body), JSON.stringify(body)).toMatch(/tdxGpaw/);
      }
      const plain = await first.api.post('/v1/vms').send({ name: 'td48', type: 'tdx', host: HOST52 });
      expect(plain.body.tdxGpaw).toBe(48);
      const refused = await first.api.put(`/v1/vms/${plain.body.id}/memslots/0/1`).send(BIT47_SLOT);
      expect([refused.status, refused.body.errno]).toEqual([200, 'EINVAL']);

      const created = await first.api.post('/v1/vms').send({ name: 'td52', type: 'tdx', tdxGpaw: 52, host: HOST52 });
      expect(created.status).toBe(201);
      expectDocumented(created, 'createVm');
      const vmId = created.body.id as string;
      expect(created.body.tdxGpaw).toBe(52);
      expect((await first.api.put(`/v1/vms/${vmId}/memslots/0/1`).send(BIT47_SLOT)).body.ret).toBe(0);
      await first.close();

      const second = await build({ databaseUrl: first.databaseUrl });
      try {
        const vm = await second.api.get(`/v1/vms/${vmId}`);
        expect(vm.body.tdxGpaw).toBe(52);
        expect((await second.api.get(`/v1/vms/${vmId}/memslots`)).body.memslots).toHaveLength(1);
        const exported = await second.api.get(`/v1/vms/${vmId}/export`);
        expect(exported.body.vm.tdx_gpaw).toBe(52);
        const imported = await second.api.post('/v1/vms/import').send(exported.body);
        expect(imported.status, imported.text).toBe(201);
        expect(imported.body.differing).toEqual([]);
        expect(imported.body.vm.tdxGpaw).toBe(52);
      } finally {
        await second.close();
      }
    } finally {
      await first.close().catch(() => undefined);
    }
  });
});
