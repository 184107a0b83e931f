// The contract v2 inputs an x86 VM accepts (backing.hwpoison, backing.hugetlb,
// inject.invalidationRaces): answered as the engine does, echoed only when sent, kept across a
// restart (the log replays them) and through export/import in the neutral format.
import { afterAll, describe, expect, it } from 'vitest';
import { build, removeTempDirs, useTestApp, type TestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

const t = useTestApp();

const poisoned = { guestPhysAddr: '0x0', size: '0x200000', backing: { hwpoison: ['0x3000'], hugetlb: false } };
const plain = { guestPhysAddr: '0x200000', size: '0x200000', backing: { pageSize: '2M' } };

/** An x86 VM with a poisoned slot, a plain one, a vCPU and two pre-faults; returns its id. */
async function setUp(api: TestApp['api']): Promise<string> {
  const id = (await api.post('/v1/vms').send({ name: 'x86-v2' })).body.id as string;
  for (const [slot, body] of [poisoned, plain].entries()) {
    const res = await api.put(`/v1/vms/${id}/memslots/0/${slot}`).send(body);
    expect(res.status, res.text).toBe(200);
    expectDocumented(res, 'putMemslot');
  }
  expect((await api.post(`/v1/vms/${id}/vcpus`).send({ id: 0 })).status).toBe(201);
  const pf = await api.post(`/v1/vms/${id}/vcpus/0/pre-fault`).send({ gpa: '0x0', size: '0x8000', inject: { invalidationRaces: 3 } });
  expectDocumented(pf, 'preFault');
  expect(pf.body).toMatchObject({ ret: 0, range: { gpa: '0x3000', size: '0x5000' } });
  const again = await api.post(`/v1/vms/${id}/vcpus/0/pre-fault`).send({ gpa: '0x3000', size: '0x1000' });
  expect(again.body).toMatchObject({ ret: -4, errno: 'EINTR', reason: expect.stringMatching(/kvm_send_hwpoison_signal/) });
  return id;
}

const memslots = async (api: TestApp['api'], id: string) => (await api.get(`/v1/vms/${id}/memslots`)).body;

describe('contract v2 inputs on an x86 VM', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    removeTempDirs();
  });

  it('accepts them, and echoes them in the memslot view and the operation log only when sent', async () => {
    const id = await setUp(t.api);
    const slots = await memslots(t.api, id);
    expect(slots.memslots.map((m: { backing: object }) => m.backing)).toEqual([
      { pageSize: '4K', writable: true, mapped: true, hugetlb: false, hwpoison: ['0x3000'] },
      { pageSize: '2M', writable: true, mapped: true },
    ]);
    const log = (await t.api.get(`/v1/vms/${id}/operations?limit=100`)).body.operations as { kind: string; request: object }[];
    expect(JSON.stringify(log)).toContain('"invalidationRaces":3');
    expect(log.filter((e) => e.kind === 'pre_fault').map((e) => JSON.stringify(e).includes('invalidationRaces'))).toEqual([true, false]);
  });

  it('a bad hwpoison is a 400 naming backing.hwpoison', async () => {
    const id = (await t.api.post('/v1/vms').send({ name: 'bad' })).body.id as string;
    const res = await t.api
      .put(`/v1/vms/${id}/memslots/0/0`)
      .send({ guestPhysAddr: '0x0', size: '0x200000', backing: { pageSize: '2M', hwpoison: ['0x0'] } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.field).toBe('backing.hwpoison');
  });

  it('survives a restart: the replayed log gives the same memslots and answers', async () => {
    const first = await build();
    apps.push(first);
    const id = await setUp(first.api);
    const before = await memslots(first.api, id);
    await first.close();
    apps.pop();
    const second = await build({ databaseUrl: first.databaseUrl });
    apps.push(second);
    expect(await memslots(second.api, id)).toEqual(before);
    const res = await second.api.post(`/v1/vms/${id}/vcpus/0/pre-fault`).send({ gpa: '0x3000', size: '0x1000' });
    expect(res.body).toMatchObject({ ret: -4, errno: 'EINTR' });
  });

  it('exports them under the neutral names and imports them back to the same scenario', async () => {
    const id = await setUp(t.api);
    const exported = (await t.api.get(`/v1/vms/${id}/export`)).body;
    const text = JSON.stringify(exported);
    expect(text).toContain('"hwpoison":["0x3000"]');
    expect(text).toContain('"hugetlb":false');
    expect(text.match(/"invalidation_races":3/g)).toHaveLength(1);
    const imported = await t.api.post('/v1/vms/import').send(exported);
    expect(imported.status, imported.text).toBe(201);
    expect(imported.body.differing).toEqual([]);
    expect(await memslots(t.api, imported.body.vm.id)).toEqual(await memslots(t.api, id));
    const { id: _a, name: _b, description: _c, ...again } = (await t.api.get(`/v1/vms/${imported.body.vm.id}/export`)).body;
    const { id: _d, name: _e, description: _f, ...original } = exported;
    expect(again).toEqual(original);
  });
});
