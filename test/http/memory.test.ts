// Memslots and memory attributes: u64 parsing and canonical hex, simulated ioctl errors
// as 200 bodies, and 400s naming the failing field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';
import { createVm, SELFTEST_SLOT, THP_SLOT } from '../helpers/fixtures.js';
import { expectDocumented } from '../helpers/openapi.js';

let t: TestApp;
let vmId: string;
beforeAll(async () => {
  t = await build();
  vmId = await createVm(t);
});
afterAll(async () => {
  await t.close();
  removeTempDirs();
});

describe('PUT /v1/vms/{vmId}/memslots/{addressSpace}/{slot}', () => {
  it('accepts u64 as integer, decimal string or any-case hex and answers canonical lower-case hex', async () => {
    const res = await t.api.put(`/v1/vms/${vmId}/memslots/0/1`).send({
      guestPhysAddr: 4294967296, // 0x100000000 as a JSON integer
      size: '1073741824', // decimal string
      userspaceAddr: '0X7F0000000000', // upper-case hex
      guestMemfdOffset: '0x0',
      flags: ['log_dirty_pages'],
      backing: { pageSize: '2M', writable: true, mapped: true },
    });
    expect(res.status).toBe(200);
    expectDocumented(res, 'putMemslot');
    expect(res.body).toEqual({
      ret: 0,
      errno: null,
      memslot: {
        addressSpace: 0,
        slot: 1,
        guestPhysAddr: '0x100000000',
        size: '0x40000000',
        userspaceAddr: '0x7f0000000000',
        flags: ['log_dirty_pages'],
        guestMemfdOffset: '0x0',
        backing: { pageSize: '2M', writable: true, mapped: true },
      },
    });
  });

  it('answers a slot the kernel rejects (overlap) with 200, the errno and memslot null', async () => {
    const res = await t.api.put(`/v1/vms/${vmId}/memslots/0/2`).send(THP_SLOT);
    expect(res.status).toBe(200);
    expectDocumented(res, 'putMemslot');
    expect(res.body.ret).toBeLessThan(0);
    expect(res.body.errno).toEqual(expect.any(String));
    expect(res.body.memslot).toBeNull();
  });

  it.each([
    ['a negative integer', { guestPhysAddr: -4096, size: '0x1000' }, 'guestPhysAddr'],
    ['a fractional number', { guestPhysAddr: '0x0', size: 4096.5 }, 'size'],
    ['an integer above 2^53-1', { guestPhysAddr: 9007199254740992, size: '0x1000' }, 'guestPhysAddr'],
    ['a 17-digit hex string', { guestPhysAddr: '0x10000000000000000', size: '0x1000' }, 'guestPhysAddr'],
    ['a 20-digit decimal above 2^64-1', { guestPhysAddr: '0x0', size: '18446744073709551616' }, 'size'],
    ['a word', { guestPhysAddr: 'lots', size: '0x1000' }, 'guestPhysAddr'],
    ['a boolean', { guestPhysAddr: '0x0', size: '0x1000', userspaceAddr: true }, 'userspaceAddr'],
    ['a missing size', { guestPhysAddr: '0x0' }, 'size'],
    ['an unknown field', { guestPhysAddr: '0x0', size: '0x1000', slot: 3 }, 'slot'],
    ['an unknown backing field', { guestPhysAddr: '0x0', size: '0x1000', backing: { transparent: true } }, 'backing.transparent'],
    ['an unknown flag', { guestPhysAddr: '0x0', size: '0x1000', flags: ['executable'] }, 'flags[0]'],
  ])('answers %s with a 400 naming the field', async (_case, body, field) => {
    const res = await t.api.put(`/v1/vms/${vmId}/memslots/0/3`).send(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'urn:prefault-lab:problem:invalid-input', status: 400, field });
    expectDocumented(res, 'putMemslot');
  });

  it('says what a u64 is when one is malformed', async () => {
    const res = await t.api.put(`/v1/vms/${vmId}/memslots/0/3`).send({ guestPhysAddr: -1, size: 1 });
    expect(res.body.detail).toBe('guestPhysAddr must be a u64: a JSON integer up to 2^53-1, or a "0x..." hex or decimal string up to 2^64-1');
  });

  it('answers bad path parameters with a 400 naming them, an unknown VM with a 404', async () => {
    const as = await t.api.put(`/v1/vms/${vmId}/memslots/x/3`).send(SELFTEST_SLOT);
    expect(as.body).toMatchObject({ status: 400, field: 'addressSpace' });
    const slot = await t.api.put(`/v1/vms/${vmId}/memslots/0/65536`).send(SELFTEST_SLOT);
    expect(slot.body).toMatchObject({ status: 400, field: 'slot' });
    const vm = await t.api.put('/v1/vms/nope/memslots/0/3').send(SELFTEST_SLOT);
    expect(vm.status).toBe(404);
    expectDocumented(vm, 'putMemslot');
  });

  it('lists memslots of both address spaces', async () => {
    const smm = await t.api.put(`/v1/vms/${vmId}/memslots/1/0`).send({ guestPhysAddr: '0x0', size: '0x100000' });
    expect(smm.body.ret).toBe(0);
    const res = await t.api.get(`/v1/vms/${vmId}/memslots`);
    expect(res.status).toBe(200);
    expectDocumented(res, 'listMemslots');
    const keys = res.body.memslots.map((m: { addressSpace: number; slot: number }) => `${m.addressSpace}/${m.slot}`);
    expect(keys).toEqual(expect.arrayContaining(['0/1', '1/0']));
    expect(keys).toHaveLength(2);
    expect((await t.api.get('/v1/vms/nope/memslots')).status).toBe(404);
  });
});

describe('DELETE /v1/vms/{vmId}/memslots/{addressSpace}/{slot}', () => {
  it('deletes a slot (200 with the ioctl result) and the listing no longer has it', async () => {
    const created = await t.api.put(`/v1/vms/${vmId}/memslots/1/5`).send({ guestPhysAddr: '0x200000', size: '0x200000' });
    expect(created.body.ret).toBe(0);
    const res = await t.api.delete(`/v1/vms/${vmId}/memslots/1/5`);
    expect(res.status).toBe(200);
    expectDocumented(res, 'deleteMemslot');
    expect(res.body).toMatchObject({ ret: 0, errno: null });
    const listed = await t.api.get(`/v1/vms/${vmId}/memslots`);
    expect(listed.body.memslots.some((m: { addressSpace: number; slot: number }) => m.addressSpace === 1 && m.slot === 5)).toBe(false);
    expect((await t.api.delete('/v1/vms/nope/memslots/1/5')).status).toBe(404);
  });
});

describe('memory attributes', () => {
  it('sets a private range on a sw_protected VM and lists it', async () => {
    const protectedVm = await createVm(t, { name: 'cc', type: 'sw_protected' });
    const res = await t.api.put(`/v1/vms/${protectedVm}/memory-attributes`).send({ address: '0x0', size: 2097152, private: true });
    expect(res.status).toBe(200);
    expectDocumented(res, 'setMemoryAttributes');
    expect(res.body).toEqual({ ret: 0, errno: null });
    const listed = await t.api.get(`/v1/vms/${protectedVm}/memory-attributes`);
    expect(listed.status).toBe(200);
    expectDocumented(listed, 'listMemoryAttributes');
    expect(listed.body).toEqual({ memoryAttributes: [{ address: '0x0', size: '0x200000', private: true }] });
  });

  it('answers a rejected call with 200 and the errno (private memory on a default VM)', async () => {
    const res = await t.api.put(`/v1/vms/${vmId}/memory-attributes`).send({ address: '0x0', size: '0x1000', private: true });
    expect(res.status).toBe(200);
    expectDocumented(res, 'setMemoryAttributes');
    expect(res.body.ret).toBeLessThan(0);
    expect(res.body.errno).toEqual(expect.any(String));
  });

  it.each([
    ['a missing private', { address: '0x0', size: '0x1000' }, 'private'],
    ['a non-u64 address', { address: '-0x1000', size: '0x1000', private: true }, 'address'],
    ['an unknown field', { address: '0x0', size: '0x1000', private: true, shared: false }, 'shared'],
  ])('answers %s with a 400 naming the field', async (_case, body, field) => {
    const res = await t.api.put(`/v1/vms/${vmId}/memory-attributes`).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, field });
    expectDocumented(res, 'setMemoryAttributes');
  });

  it('404s an unknown VM', async () => {
    const res = await t.api.get('/v1/vms/nope/memory-attributes');
    expect(res.status).toBe(404);
    expectDocumented(res, 'listMemoryAttributes');
  });
});
