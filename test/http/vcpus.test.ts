// vCPUs, their modes, KVM_PRE_FAULT_MEMORY and guest accesses.
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/build.js';
import { createSelftestVm, createVm } from '../helpers/fixtures.js';
import { expectDocumented } from '../helpers/openapi.js';

const t = useTestApp();

describe('vCPUs', () => {
  it('creates a vCPU (201) with the contract defaults and its MMU', async () => {
    const vmId = await createVm(t);
    const res = await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 3 });
    expect(res.status).toBe(201);
    expectDocumented(res, 'createVcpu');
    expect(res.body).toMatchObject({ id: 3, maxPhysAddr: 46, smm: false, guestMode: false, nestedTdp: true, mmu: { kind: 'tdp' } });
    expect(res.body.mmu.rootRole).toMatchObject({ smm: false, guestMode: false, addressSpace: 0 });
  });

  it('answers a duplicate vCPU id with a 409 problem', async () => {
    const vmId = await createVm(t);
    expect((await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 })).status).toBe(201);
    const res = await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'urn:prefault-lab:problem:conflict', title: 'Conflict', status: 409 });
    expectDocumented(res, 'createVcpu');
  });

  it.each([
    ['a missing id', {}, 'id'],
    ['a string id', { id: '0' }, 'id'],
    ['a negative id', { id: -1 }, 'id'],
    ['an unknown field', { id: 0, apicId: 0 }, 'apicId'],
    ['a wrong mode type', { id: 0, smm: 1 }, 'smm'],
  ])('answers %s with a 400 naming the field', async (_case, body, field) => {
    const vmId = await createVm(t);
    const res = await t.api.post(`/v1/vms/${vmId}/vcpus`).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, field });
    expectDocumented(res, 'createVcpu');
  });

  it('lists and gets vCPUs; 404s unknown VMs and vCPUs', async () => {
    const vmId = await createVm(t);
    for (const id of [0, 1]) await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id });
    const list = await t.api.get(`/v1/vms/${vmId}/vcpus`);
    expect(list.status).toBe(200);
    expectDocumented(list, 'listVcpus');
    expect(list.body.vcpus.map((v: { id: number }) => v.id)).toEqual([0, 1]);
    const one = await t.api.get(`/v1/vms/${vmId}/vcpus/1`);
    expect(one.status).toBe(200);
    expectDocumented(one, 'getVcpu');
    expect(one.body.id).toBe(1);
    const unknownVcpu = await t.api.get(`/v1/vms/${vmId}/vcpus/9`);
    expect(unknownVcpu.status).toBe(404);
    expectDocumented(unknownVcpu, 'getVcpu');
    expect((await t.api.get('/v1/vms/nope/vcpus')).status).toBe(404);
    const badId = await t.api.get(`/v1/vms/${vmId}/vcpus/zero`);
    expect(badId.body).toMatchObject({ status: 400, field: 'vcpuId' });
  });

  it('PATCH changes the mode: SMM gives the SMM root role in address space 1', async () => {
    const vmId = await createVm(t);
    await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 });
    const res = await t.api.patch(`/v1/vms/${vmId}/vcpus/0`).send({ smm: true });
    expect(res.status).toBe(200);
    expectDocumented(res, 'patchVcpu');
    expect(res.body).toMatchObject({ id: 0, smm: true, mmu: { kind: 'tdp', rootRole: { smm: true, addressSpace: 1 } } });
    expect((await t.api.get(`/v1/vms/${vmId}/vcpus/0`)).body.smm).toBe(true);
  });

  it('PATCH answers an impossible mode with a 409, an empty body with a 400, an unknown vCPU with a 404', async () => {
    const vmId = await createVm(t);
    await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 });
    const impossible = await t.api.patch(`/v1/vms/${vmId}/vcpus/0`).send({ smm: true, guestMode: true });
    expect(impossible.status).toBe(409);
    expectDocumented(impossible, 'patchVcpu');
    const empty = await t.api.patch(`/v1/vms/${vmId}/vcpus/0`).send({});
    expect(empty.status).toBe(400);
    expect(empty.body.field).toBe('body');
    expectDocumented(empty, 'patchVcpu');
    const unknown = await t.api.patch(`/v1/vms/${vmId}/vcpus/5`).send({ smm: true });
    expect(unknown.status).toBe(404);
    expectDocumented(unknown, 'patchVcpu');
  });
});

describe('POST /v1/vms/{vmId}/vcpus/{vcpuId}/pre-fault', () => {
  it('maps the selftest range: 512 read-only zero-page 4K leaves (spec S01)', async () => {
    const vmId = await createSelftestVm(t);
    const res = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc00000', size: '0x200000', flags: 0 });
    expect(res.status).toBe(200);
    expectDocumented(res, 'preFault');
    expect(res.body).toMatchObject({
      ret: 0,
      errno: null,
      range: { gpa: '0x3fffffe00000', size: '0x0', flags: '0x0' },
      iterations: [{ gpa: '0x3fffffc00000', result: 'FIXED', level: '4K', consumed: '0x1000', count: 512 }],
      root: { level: 4, smm: false, guestMode: false, addressSpace: 0 },
    });
    expect(res.body.mapped).toHaveLength(1);
    expect(res.body.mapped[0]).toMatchObject({ gpa: '0x3fffffc00000', level: '4K', count: 512, kind: 'ram', writable: false, accessed: false });
  });

  it.each([
    ['size 0', { gpa: '0x3fffffc00000', size: 0 }],
    ['non-zero flags', { gpa: '0x3fffffc00000', size: '0x1000', flags: 1 }],
    ['a range that wraps past 2^64', { gpa: '0xfffffffffffff000', size: '0x2000' }],
  ])('answers %s with 200 and EINVAL (the ioctl fails, not the HTTP call)', async (_case, body) => {
    const vmId = await createSelftestVm(t);
    const res = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send(body);
    expect(res.status).toBe(200);
    expectDocumented(res, 'preFault');
    expect(res.body).toMatchObject({ ret: -22, errno: 'EINVAL', iterations: [], mapped: [], root: null });
  });

  it('answers an unmapped gpa with 200 and ENOENT', async () => {
    const vmId = await createSelftestVm(t);
    const res = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffe01000', size: '0x1000' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ret: -2, errno: 'ENOENT', range: { gpa: '0x3fffffe01000', size: '0x1000' } });
  });

  it('accepts padding and signal injection', async () => {
    const vmId = await createSelftestVm(t);
    const res = await t.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send({ gpa: '0x3fffffc00000', size: '0x200000', padding: [0, '0x1', '2', 0, 0], inject: { signalAfterIterations: 3 } });
    expect(res.status).toBe(200);
    expectDocumented(res, 'preFault');
    expect(res.body).toMatchObject({ ret: 0, range: { gpa: '0x3fffffc03000', size: '0x1fd000' } });
    const pending = await t.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send({ gpa: '0x3fffffc00000', size: '0x1000', inject: { signalPending: true } });
    expect(pending.body).toMatchObject({ ret: -4, errno: 'EINTR', iterations: [] });
  });

  it.each([
    ['a missing gpa', { size: '0x1000' }, 'gpa'],
    ['a non-u64 gpa', { gpa: '0x-1', size: '0x1000' }, 'gpa'],
    ['a size above 2^64-1', { gpa: '0x0', size: '99999999999999999999' }, 'size'],
    ['a bad padding word', { gpa: '0x0', size: '0x1000', padding: [0, 0, 'x', 0, 0] }, 'padding[2]'],
    ['too few padding words', { gpa: '0x0', size: '0x1000', padding: [0] }, 'padding'],
    ['an unknown inject field', { gpa: '0x0', size: '0x1000', inject: { sigkill: true } }, 'inject.sigkill'],
    ['an unknown field', { gpa: '0x0', size: '0x1000', vcpu: 0 }, 'vcpu'],
  ])('answers %s with a 400 naming the field', async (_case, body, field) => {
    const vmId = await createSelftestVm(t);
    const res = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'urn:prefault-lab:problem:invalid-input', status: 400, field });
    expectDocumented(res, 'preFault');
  });

  it('404s an unknown VM or vCPU, and logs nothing for them', async () => {
    const vmId = await createSelftestVm(t);
    const vcpu = await t.api.post(`/v1/vms/${vmId}/vcpus/7/pre-fault`).send({ gpa: '0x3fffffc00000', size: '0x1000' });
    expect(vcpu.status).toBe(404);
    expectDocumented(vcpu, 'preFault');
    expect((await t.api.post('/v1/vms/nope/vcpus/0/pre-fault').send({ gpa: 0, size: 4096 })).status).toBe(404);
    const log = await t.api.get(`/v1/vms/${vmId}/operations`);
    expect(log.body.operations.map((e: { kind: string }) => e.kind)).toEqual(['set_memslot', 'create_vcpu']);
  });
});

describe('POST /v1/vms/{vmId}/vcpus/{vcpuId}/access', () => {
  it('a guest read sets Accessed on the mapping a pre-fault left clear', async () => {
    const vmId = await createSelftestVm(t);
    await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc00000', size: '0x1000' });
    const res = await t.api.post(`/v1/vms/${vmId}/vcpus/0/access`).send({ gpa: '0x3fffffc00000', kind: 'read' });
    expect(res.status).toBe(200);
    expectDocumented(res, 'guestAccess');
    expect(res.body).toMatchObject({ ret: 0, errno: null, exit: null });
    expect(res.body).not.toHaveProperty('range');
    const rootId = (await t.api.get(`/v1/vms/${vmId}/roots`)).body.roots[0].id;
    const mappings = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/mappings`).query({ from: '0x3fffffc00000', to: '0x3fffffc01000' });
    expect(mappings.body.mappings[0]).toMatchObject({ gpa: '0x3fffffc00000', accessed: true });
  });

  it('answers a bad kind with a 400 listing the kinds', async () => {
    const vmId = await createSelftestVm(t);
    const res = await t.api.post(`/v1/vms/${vmId}/vcpus/0/access`).send({ gpa: '0x0', kind: 'fetch' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'kind', detail: 'kind must be one of: read, write, exec' });
    expectDocumented(res, 'guestAccess');
    expect((await t.api.post(`/v1/vms/${vmId}/vcpus/4/access`).send({ gpa: '0x0', kind: 'read' })).status).toBe(404);
  });

  it('answers a documented 409 for a vCPU whose MMU is not a TDP MMU (guest mode with nested TDP)', async () => {
    const vmId = await createSelftestVm(t);
    const patched = await t.api.patch(`/v1/vms/${vmId}/vcpus/0`).send({ guestMode: true });
    expect(patched.body.mmu.kind, patched.text).toBe('nested-tdp-shadow');
    const res = await t.api.post(`/v1/vms/${vmId}/vcpus/0/access`).send({ gpa: '0x3fffffc00000', kind: 'read' });
    expect(res.status, res.text).toBe(409);
    expectDocumented(res, 'guestAccess');
  });
});
