// The operation log: what is logged (and what is not), in order, paginated, with u64
// values as canonical hex in the log and fixed-width hex in the database.
import { queryRows } from '../helpers/store.js';
import { describe, expect, it } from 'vitest';
import { build, useTestApp } from '../helpers/build.js';
import { createSelftestVm, createVm } from '../helpers/fixtures.js';
import { expectDocumented } from '../helpers/openapi.js';

const t = useTestApp();

describe('GET /v1/vms/{vmId}/operations', () => {
  it('logs every accepted call in order with its result, including failed ioctls, but not refused calls', async () => {
    const vmId = await createSelftestVm(t);
    const ok = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc00000', size: 8192 });
    const einval = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc00000', size: 0 });
    await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 }); // 409: refused, not logged
    await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: 'x', size: 1 }); // 400: not logged
    const res = await t.api.get(`/v1/vms/${vmId}/operations`);
    expect(res.status).toBe(200);
    expectDocumented(res, 'listOperations');
    expect(res.body.nextCursor).toBeNull();
    const entries = res.body.operations;
    expect(entries.map((e: { seq: number; kind: string }) => [e.seq, e.kind])).toEqual([
      [1, 'set_memslot'],
      [2, 'create_vcpu'],
      [3, 'pre_fault'],
      [4, 'pre_fault'],
    ]);
    expect(entries[2].op).toEqual({ op: 'pre_fault', vcpuId: 0, gpa: '0x3fffffc00000', size: '0x2000', flags: '0x0' });
    expect(entries[2].result).toEqual(ok.body);
    expect(entries[3].result).toEqual(einval.body);
    expect(entries[3].result.errno).toBe('EINVAL');
  });

  it('pages with limit and cursor', async () => {
    const vmId = await createVm(t);
    for (let id = 0; id < 5; id++) await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id });
    const seqs: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.api.get(`/v1/vms/${vmId}/operations`).query({ limit: 2, ...(cursor && { cursor }) });
      expect(res.status).toBe(200);
      expectDocumented(res, 'listOperations');
      expect(res.body.operations.length).toBeLessThanOrEqual(2);
      seqs.push(...res.body.operations.map((e: { seq: number }) => e.seq));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it('answers a bad cursor with a 400, an unknown VM with a 404', async () => {
    const vmId = await createVm(t);
    const bad = await t.api.get(`/v1/vms/${vmId}/operations?cursor=abc`);
    expect(bad.body).toMatchObject({ status: 400, field: 'cursor' });
    expectDocumented(bad, 'listOperations');
    const unknown = await t.api.get('/v1/vms/nope/operations');
    expect(unknown.status).toBe(404);
    expectDocumented(unknown, 'listOperations');
  });
});

describe('u64 round trip', () => {
  it('keeps 0xfffffffffffff000 exact in the answer, the log and the database, across a restart', async () => {
    const local = await build();
    const vmId = await createSelftestVm(local);
    // A u64 above 2^63 must survive: as a hex string, as a decimal string.
    const asHex = await local.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0xFFFFFFFFFFFFF000', size: '0x1000' });
    const asDecimal = await local.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '18446744073709547520', size: 4096 });
    for (const res of [asHex, asDecimal]) {
      expect(res.status).toBe(200);
      expect(res.body.range).toEqual({ gpa: '0xfffffffffffff000', size: '0x1000', flags: '0x0' });
    }
    const slot = await local.api
      .put(`/v1/vms/${vmId}/memslots/0/11`)
      .send({ guestPhysAddr: '0x200000000', size: '0x200000', userspaceAddr: '0x7fff00000000' });
    expect(slot.body.memslot.userspaceAddr).toBe('0x7fff00000000');
    const before = (await local.api.get(`/v1/vms/${vmId}/operations`)).body.operations;
    expect(before[2].op.gpa).toBe('0xfffffffffffff000');
    expect(before[3].op.gpa).toBe('0xfffffffffffff000');
    await local.close();

    {
      const rows = await queryRows(local.databaseUrl, 'SELECT "seq", "gpa", "size" FROM "Operation" WHERE "vmId" = ? ORDER BY "seq"', vmId);
      expect(rows).toEqual([
        { seq: 1, gpa: '0x00003fffffc00000', size: '0x0000000000201000' },
        { seq: 2, gpa: null, size: null },
        { seq: 3, gpa: '0xfffffffffffff000', size: '0x0000000000001000' },
        { seq: 4, gpa: '0xfffffffffffff000', size: '0x0000000000001000' },
        { seq: 5, gpa: '0x0000000200000000', size: '0x0000000000200000' },
      ]);
      const slots = await queryRows(
        local.databaseUrl,
        'SELECT "slot", "guestPhysAddr", "userspaceAddr" FROM "Memslot" WHERE "vmId" = ? ORDER BY "slot"',
        vmId,
      );
      expect(slots).toEqual([
        { slot: 10, guestPhysAddr: '0x00003fffffc00000', userspaceAddr: '0x00007f0000001000' },
        { slot: 11, guestPhysAddr: '0x0000000200000000', userspaceAddr: '0x00007fff00000000' },
      ]);
    }

    const reopened = await build({ databaseUrl: local.databaseUrl });
    try {
      const after = (await reopened.api.get(`/v1/vms/${vmId}/operations`)).body.operations;
      expect(after).toEqual(before);
    } finally {
      await reopened.close();
    }
  });
});
