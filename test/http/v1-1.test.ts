// Contract v1.1 over HTTP: quirksDisabled, dead + POST …/mark-dead, inject.memslotBeingDeleted,
// `reason`, guestPhysBits; each logged, persisted (restart), exported and imported.
import { describe, expect, it } from 'vitest';
import { build, removeTempDirs, useTestApp } from '../helpers/build.js';
import { createVm } from '../helpers/fixtures.js';
import { expectDocumented } from '../helpers/openapi.js';

const t = useTestApp();

async function vmWithSlots(body: Record<string, unknown> = { name: 'v11' }): Promise<string> {
  const vmId = await createVm(t, body);
  for (const [slot, gpa] of [
    [0, '0x0'],
    [1, '0x200000'],
  ] as const) {
    const res = await t.api.put(`/v1/vms/${vmId}/memslots/0/${slot}`).send({ guestPhysAddr: gpa, size: '0x200000' });
    expect(res.body.ret, res.text).toBe(0);
  }
  expect((await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 })).status).toBe(201);
  return vmId;
}

describe('quirksDisabled', () => {
  it('is accepted, echoed in the VM view and listed; [] by default', async () => {
    const res = await t.api.post('/v1/vms').send({ name: 'q', quirksDisabled: ['SLOT_ZAP_ALL'] });
    expect(res.status).toBe(201);
    expectDocumented(res, 'createVm');
    expect(res.body).toMatchObject({ quirksDisabled: ['SLOT_ZAP_ALL'], dead: false });
    const get = await t.api.get(`/v1/vms/${res.body.id}`);
    expectDocumented(get, 'getVm');
    expect(get.body.quirksDisabled).toEqual(['SLOT_ZAP_ALL']);
    const plain = await t.api.post('/v1/vms').send({ name: 'p' });
    expect(plain.body.quirksDisabled).toEqual([]);
  });
  it('a quirk the chosen kernel lacks is a 400 naming quirksDisabled', async () => {
    const res = await t.api.post('/v1/vms').send({ name: 'q', kernel: '6.11', quirksDisabled: ['SLOT_ZAP_ALL'] });
    expect(res.status).toBe(400);
    expectDocumented(res, 'createVm');
    expect(res.body).toMatchObject({ status: 400, field: 'quirksDisabled', detail: expect.stringMatching(/6\.11/) });
  });
  it('an unknown quirk name is a 400 naming quirksDisabled', async () => {
    const res = await t.api.post('/v1/vms').send({ name: 'q', quirksDisabled: ['NOPE'] });
    expect(res.status).toBe(400);
    expect(res.body.field).toMatch(/^quirksDisabled/);
  });
  it('with SLOT_ZAP_ALL disabled a slot delete keeps the root (a default VM)', async () => {
    const vmId = await vmWithSlots({ name: 'q', quirksDisabled: ['SLOT_ZAP_ALL'] });
    await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x200000', size: '0x1000' });
    const before = (await t.api.get(`/v1/vms/${vmId}/roots`)).body.roots;
    expect((await t.api.delete(`/v1/vms/${vmId}/memslots/0/0`)).body.ret).toBe(0);
    const after = (await t.api.get(`/v1/vms/${vmId}/roots`)).body.roots;
    expect(after.map((r: { id: string }) => r.id)).toEqual(before.map((r: { id: string }) => r.id));
  });
});

describe('guestPhysBits and wide 4-level hosts', () => {
  it('a host with MAXPHYADDR 52 and 4-level EPT is creatable; KVM caps the guest at 48 bits', async () => {
    const res = await t.api.post('/v1/vms').send({ name: 'w', host: { maxPhysAddr: 52, maxTdpLevel: 4 } });
    expect(res.status, res.text).toBe(201);
    expectDocumented(res, 'createVm');
    expect(res.body.guestPhysBits).toBe(48);
    const five = await t.api.post('/v1/vms').send({ name: 'w5', host: { maxPhysAddr: 52, maxTdpLevel: 5 } });
    expect(five.body.guestPhysBits).toBe(52);
  });
});

describe('mark-dead', () => {
  it('answers the VM view with dead: true; every ioctl then answers EIO with a reason', async () => {
    const vmId = await vmWithSlots();
    const dead = await t.api.post(`/v1/vms/${vmId}/mark-dead`);
    expect(dead.status).toBe(200);
    expectDocumented(dead, 'markVmDead');
    expect(dead.body).toMatchObject({ id: vmId, dead: true });
    expect((await t.api.get(`/v1/vms/${vmId}`)).body.dead).toBe(true);

    const pf = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x800', size: '0x1000', flags: 1 });
    expect(pf.status).toBe(200);
    expectDocumented(pf, 'preFault');
    expect(pf.body).toMatchObject({
      ret: -5,
      errno: 'EIO',
      reason: expect.stringMatching(/vm_dead/),
      range: { gpa: '0x800', size: '0x1000', flags: '0x1' },
      iterations: [],
      mapped: [],
    });

    const vcpu = await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 5 });
    expect([vcpu.status, vcpu.body.ret, vcpu.body.errno]).toEqual([200, -5, 'EIO']);
    expectDocumented(vcpu, 'createVcpu');
    const patch = await t.api.patch(`/v1/vms/${vmId}/vcpus/0`).send({ smm: true });
    expect([patch.status, patch.body.errno]).toEqual([200, 'EIO']);
    expectDocumented(patch, 'patchVcpu');
    const slot = await t.api.put(`/v1/vms/${vmId}/memslots/0/7`).send({ guestPhysAddr: '0x40000000', size: '0x1000' });
    expect([slot.body.errno, slot.body.memslot]).toEqual(['EIO', null]);
    expectDocumented(slot, 'putMemslot');
    const del = await t.api.delete(`/v1/vms/${vmId}/memslots/0/0`);
    expectDocumented(del, 'deleteMemslot');
    expect(del.body.errno).toBe('EIO');
    const attrs = await t.api.put(`/v1/vms/${vmId}/memory-attributes`).send({ address: '0x0', size: '0x1000', private: true });
    expectDocumented(attrs, 'setMemoryAttributes');
    expect(attrs.body.errno).toBe('EIO');
    const fin = await t.api.post(`/v1/vms/${vmId}/finalize`);
    expectDocumented(fin, 'finalizeVm');
    expect(fin.body.errno).toBe('EIO');
    const acc = await t.api.post(`/v1/vms/${vmId}/vcpus/0/access`).send({ gpa: '0x0', kind: 'read' });
    expectDocumented(acc, 'guestAccess');
    expect(acc.body.errno).toBe('EIO');

    // Reads keep working.
    expect((await t.api.get(`/v1/vms/${vmId}/memslots`)).body.memslots).toHaveLength(2);
    expect((await t.api.get(`/v1/vms/${vmId}/vcpus/0`)).body.smm).toBe(false);
    const ops = await t.api.get(`/v1/vms/${vmId}/operations`);
    expectDocumented(ops, 'listOperations');
    expect(ops.body.operations.map((o: { kind: string }) => o.kind)).toContain('mark_dead');
    expect((await t.api.get(`/v1/vms/${vmId}/export`)).status).toBe(200);
  });
  it('an unknown VM is a 404', async () => {
    const res = await t.api.post('/v1/vms/00000000-0000-0000-0000-000000000000/mark-dead');
    expect(res.status).toBe(404);
    expectDocumented(res, 'markVmDead');
  });
});

describe('inject.memslotBeingDeleted and reason', () => {
  it('6.18 answers EAGAIN with a reason on the answer and on the failing row', async () => {
    const vmId = await vmWithSlots();
    const res = await t.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send({ gpa: '0x200000', size: '0x1000', inject: { memslotBeingDeleted: { addressSpace: 0, slot: 1 } } });
    expect(res.status).toBe(200);
    expectDocumented(res, 'preFault');
    expect(res.body).toMatchObject({ ret: -11, errno: 'EAGAIN', reason: expect.stringMatching(/KVM_MEMSLOT_INVALID/) });
    expect(res.body.iterations[0]).toMatchObject({ errno: 'EAGAIN', reason: expect.stringMatching(/kvm_mmu_faultin_pfn/) });
  });
  it('6.17 ends the endless retry as a signal would: EINTR with a note', async () => {
    const vmId = await vmWithSlots({ name: 'old', kernel: '6.17' });
    const res = await t.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send({ gpa: '0x200000', size: '0x1000', inject: { memslotBeingDeleted: { addressSpace: 0, slot: 1 } } });
    expectDocumented(res, 'preFault');
    expect(res.body).toMatchObject({ errno: 'EINTR', note: expect.stringMatching(/synchronize_srcu/) });
  });
  it('an unknown slot is a 404 problem', async () => {
    const vmId = await vmWithSlots();
    const res = await t.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send({ gpa: '0x0', size: '0x1000', inject: { memslotBeingDeleted: { addressSpace: 0, slot: 9 } } });
    expect(res.status).toBe(404);
    expectDocumented(res, 'preFault');
  });
  it('a malformed reference is a 400', async () => {
    const vmId = await vmWithSlots();
    const res = await t.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send({ gpa: '0x0', size: '0x1000', inject: { memslotBeingDeleted: { slot: 1 } } });
    expect(res.status).toBe(400);
  });
  it('a failing memslot and attribute call carry a reason; successes have none', async () => {
    const vmId = await vmWithSlots();
    const bad = await t.api.put(`/v1/vms/${vmId}/memslots/0/5`).send({ guestPhysAddr: '0x800', size: '0x1000' });
    expectDocumented(bad, 'putMemslot');
    expect(bad.body).toMatchObject({
      errno: 'EINVAL',
      reason: expect.stringMatching(/guest_phys_addr is not page aligned \(kvm_set_memory_region\)/),
    });
    const attrs = await t.api.put(`/v1/vms/${vmId}/memory-attributes`).send({ address: '0x0', size: '0x1000', private: true });
    expect(attrs.body).toMatchObject({ errno: 'EINVAL', reason: expect.stringMatching(/kvm_vm_ioctl_set_mem_attributes/) });
    const ok = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x0', size: '0x1000' });
    expect(ok.body.ret).toBe(0);
    expect(ok.body).not.toHaveProperty('reason');
  });
});

describe('persisted, replayed, exported, imported', () => {
  it('a restart rebuilds dead, quirksDisabled and the logged answers', async () => {
    const first = await build();
    const created = await first.api.post('/v1/vms').send({ name: 'r', quirksDisabled: ['SLOT_ZAP_ALL'] });
    const vmId = created.body.id as string;
    await first.api.put(`/v1/vms/${vmId}/memslots/0/0`).send({ guestPhysAddr: '0x0', size: '0x200000' });
    await first.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 });
    const eagain = await first.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send({ gpa: '0x0', size: '0x1000', inject: { memslotBeingDeleted: { addressSpace: 0, slot: 0 } } });
    await first.api.post(`/v1/vms/${vmId}/mark-dead`);
    const ops = (await first.api.get(`/v1/vms/${vmId}/operations`)).body.operations;
    await first.close();

    const second = await build({ databaseUrl: first.databaseUrl });
    try {
      const view = await second.api.get(`/v1/vms/${vmId}`);
      expect(view.body).toMatchObject({ dead: true, quirksDisabled: ['SLOT_ZAP_ALL'] });
      const again = (await second.api.get(`/v1/vms/${vmId}/operations`)).body.operations;
      expect(again).toEqual(ops);
      expect(again.find((o: { kind: string }) => o.kind === 'pre_fault').result).toEqual(eagain.body);
      const pf = await second.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x0', size: '0x1000' });
      expect(pf.body.errno).toBe('EIO');
    } finally {
      await second.close();
      removeTempDirs();
    }
  });
  it('export then import gives a VM with the same quirks, the same dead state and no differing step', async () => {
    const vmId = await vmWithSlots({ name: 'x', quirksDisabled: ['SLOT_ZAP_ALL'] });
    await t.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send({ gpa: '0x1ff000', size: '0x2000', inject: { memslotBeingDeleted: { addressSpace: 0, slot: 1 } } });
    await t.api.put(`/v1/vms/${vmId}/memslots/0/5`).send({ guestPhysAddr: '0x800', size: '0x1000' });
    await t.api.post(`/v1/vms/${vmId}/mark-dead`);
    await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x0', size: '0x1000' });
    const exported = await t.api.get(`/v1/vms/${vmId}/export`);
    expectDocumented(exported, 'exportVm');
    expect(exported.body.vm.quirks_disabled).toEqual(['SLOT_ZAP_ALL']);
    expect(exported.body.steps.map((s: { op: string }) => s.op)).toContain('mark_dead');
    const imported = await t.api.post('/v1/vms/import').send(exported.body);
    expect(imported.status, imported.text).toBe(201);
    expectDocumented(imported, 'importVm');
    expect(imported.body.differing).toEqual([]);
    expect(imported.body.vm).toMatchObject({ dead: true, quirksDisabled: ['SLOT_ZAP_ALL'] });
  });
});
