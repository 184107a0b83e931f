// Contract v2 over HTTP: an x86 VM says `arch: "x86"` and may be asked for as x86; arm64 and
// s390 VMs are created and imported too (arches.test.ts has the rest). The x86 kernel axis
// runs to 7.4.
import { describe, expect, it } from 'vitest';
import { build, removeTempDirs, useTestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

const t = useTestApp();

describe('a VM has an arch', () => {
  it('is x86 when none is sent, in the answer, the VM, and the listing', async () => {
    const created = await t.api.post('/v1/vms').send({ name: 'plain' });
    expect(created.status).toBe(201);
    expectDocumented(created, 'createVm');
    expect(created.body.arch).toBe('x86');
    const got = await t.api.get(`/v1/vms/${created.body.id}`);
    expectDocumented(got, 'getVm');
    expect(got.body.arch).toBe('x86');
    const listed = await t.api.get('/v1/vms');
    expect(listed.body.vms.find((v: { id: string }) => v.id === created.body.id).arch).toBe('x86');
  });

  it('echoes arch x86 when it is sent', async () => {
    const res = await t.api.post('/v1/vms').send({ name: 'asked', arch: 'x86' });
    expect(res.status).toBe(201);
    expectDocumented(res, 'createVm');
    expect(res.body).toMatchObject({ arch: 'x86', kernel: '6.18', type: 'default' });
  });

  it.each(['arm64', 's390'])('creates an arch %s VM, whose view says so (test/http/arches.test.ts has the rest)', async (arch) => {
    const res = await t.api.post('/v1/vms').send({ name: 'other', arch });
    expect(res.status, res.text).toBe(201);
    expectDocumented(res, 'createVm');
    expect(res.body).toMatchObject({ arch, kernel: '7.4' });
  });

  it('answers an arch that no kernel has with a 400 naming arch', async () => {
    const res = await t.api.post('/v1/vms').send({ name: 'other', arch: 'riscv' });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('arch');
  });

  it('survives a restart: the replayed VM is still x86', async () => {
    const first = await build();
    const created = await first.api.post('/v1/vms').send({ name: 'kept', arch: 'x86', kernel: '7.4' });
    await first.close();
    const second = await build({ databaseUrl: first.databaseUrl });
    try {
      const view = await second.api.get(`/v1/vms/${created.body.id}`);
      expect(view.body).toMatchObject({ arch: 'x86', kernel: '7.4' });
    } finally {
      await second.close();
      removeTempDirs();
    }
  });
});

describe('scenario import takes the arch', () => {
  const scenario = { name: 'imp', kernel: { min: '7.4', max: '7.4' }, steps: [] };

  it('imports arch x86 as an x86 VM, and an export of it reads back the same', async () => {
    const imported = await t.api.post('/v1/vms/import').send({ ...scenario, arch: 'x86' });
    expect(imported.status, imported.text).toBe(201);
    expectDocumented(imported, 'importVm');
    expect(imported.body.vm).toMatchObject({ arch: 'x86', kernel: '7.4' });
    const exported = await t.api.get(`/v1/vms/${imported.body.vm.id}/export`);
    expect(exported.body.kernel).toEqual({ min: '7.4', max: '7.4' });
    const again = await t.api.post('/v1/vms/import').send(exported.body);
    expect(again.body.vm).toMatchObject({ arch: 'x86', kernel: '7.4' });
  });

  it.each(['arm64', 's390'])('imports an arch %s scenario as a VM of that arch (arches.test.ts has the round trip)', async (arch) => {
    const res = await t.api.post('/v1/vms/import').send({ ...scenario, arch });
    expect(res.status, res.text).toBe(201);
    expectDocumented(res, 'importVm');
    expect(res.body.vm).toMatchObject({ arch, kernel: '7.4' });
  });

  it('refuses an arch no kernel has with a 400 naming arch, before any VM exists', async () => {
    const before = (await t.api.get('/v1/vms?limit=100')).body.vms.length;
    const res = await t.api.post('/v1/vms/import').send({ ...scenario, arch: 'riscv' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, field: 'arch' });
    expectDocumented(res, 'importVm');
    expect((await t.api.get('/v1/vms?limit=100')).body.vms.length).toBe(before);
  });
});

describe('the x86 kernel axis runs to 7.4', () => {
  it.each(['6.19', '7.0', '7.4'])('accepts kernel %s and answers a pre-fault as 6.18 does', async (kernel) => {
    const answers: unknown[] = [];
    for (const k of ['6.18', kernel]) {
      const vm = await t.api.post('/v1/vms').send({ name: `k${k}`, kernel: k });
      expect(vm.status).toBe(201);
      expect(vm.body.kernel).toBe(k);
      await t.api.put(`/v1/vms/${vm.body.id}/memslots/0/0`).send({ guestPhysAddr: '0x0', size: '0x40000000' });
      await t.api.post(`/v1/vms/${vm.body.id}/vcpus`).send({ id: 0 });
      const pf = await t.api.post(`/v1/vms/${vm.body.id}/vcpus/0/pre-fault`).send({ gpa: '0x0', size: '0x400000' });
      expectDocumented(pf, 'preFault');
      answers.push(pf.body);
    }
    expect(answers[1]).toEqual(answers[0]);
  });

  it('refuses a kernel outside the list with a 400 naming kernel', async () => {
    const res = await t.api.post('/v1/vms').send({ name: 'k', kernel: '7.5' });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('kernel');
  });
});
