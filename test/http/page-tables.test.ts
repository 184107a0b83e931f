// Roots, mappings (range, limit, cursor) and the page walk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';
import { createSelftestVm, onlyRootId } from '../helpers/fixtures.js';
import { expectDocumented } from '../helpers/openapi.js';

let t: TestApp;
let vmId: string;
let rootId: string;
beforeAll(async () => {
  t = await build();
  vmId = await createSelftestVm(t);
  // The selftest's first two calls: 512 zero-page leaves, then one more and an MMIO SPTE.
  await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc00000', size: '0x200000' });
  await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffe00000', size: '0x2000' });
  rootId = await onlyRootId(t, vmId);
});
afterAll(async () => {
  await t.close();
  removeTempDirs();
});

describe('GET /v1/vms/{vmId}/roots', () => {
  it('lists the root with its role, loaded vCPUs and counts', async () => {
    const res = await t.api.get(`/v1/vms/${vmId}/roots`);
    expect(res.status).toBe(200);
    expectDocumented(res, 'listRoots');
    expect(res.body.roots[0]).toMatchObject({
      id: rootId,
      level: 4,
      smm: false,
      guestMode: false,
      addressSpace: 0,
      adDisabled: false,
      mirror: false,
      vcpus: [0],
      counts: { '4K': 513, '2M': 0, '1G': 0 },
    });
    expect((await t.api.get('/v1/vms/nope/roots')).status).toBe(404);
  });
});

describe('GET /v1/vms/{vmId}/roots/{rootId}/mappings', () => {
  it('lists coalesced leaf rows in GPA order (S01: 513 zero-page leaves and one MMIO SPTE)', async () => {
    const res = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/mappings`);
    expect(res.status).toBe(200);
    expectDocumented(res, 'listMappings');
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.mappings).toEqual([
      expect.objectContaining({ gpa: '0x3fffffc00000', size: '0x201000', level: '4K', count: 513, kind: 'ram', writable: false, accessed: false }),
      expect.objectContaining({ gpa: '0x3fffffe01000', size: '0x1000', level: '4K', count: 1, kind: 'mmio' }),
    ]);
  });

  it('pages with limit and cursor, and filters by [from, to)', async () => {
    const first = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/mappings?limit=1`);
    expect(first.body.mappings).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/mappings`).query({ limit: 1, cursor: first.body.nextCursor });
    expect(second.status).toBe(200);
    expectDocumented(second, 'listMappings');
    expect(second.body.mappings).toEqual([expect.objectContaining({ gpa: '0x3fffffe01000', kind: 'mmio' })]);
    expect(second.body.nextCursor).toBeNull();
    const ranged = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/mappings`).query({ from: '0x3fffffe01000', to: '70368744177664' });
    expect(ranged.body.mappings).toEqual([expect.objectContaining({ gpa: '0x3fffffe01000', kind: 'mmio' })]);
  });

  it('answers bad query values with a 400 naming them, unknown roots with a 404', async () => {
    const from = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/mappings?from=-1`);
    expect(from.body).toMatchObject({ status: 400, field: 'from' });
    expectDocumented(from, 'listMappings');
    const to = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/mappings?to=18446744073709551616`);
    expect(to.body).toMatchObject({ status: 400, field: 'to' });
    const limit = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/mappings?limit=100000`);
    expect(limit.body).toMatchObject({ status: 400, field: 'limit' });
    const unknown = await t.api.get(`/v1/vms/${vmId}/roots/r-nope/mappings`);
    expect(unknown.status).toBe(404);
    expectDocumented(unknown, 'listMappings');
  });
});

describe('GET /v1/vms/{vmId}/roots/{rootId}/walk', () => {
  it('walks from the root level down to the 4K leaf', async () => {
    const res = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/walk?gpa=0x3fffffc01000`);
    expect(res.status).toBe(200);
    expectDocumented(res, 'walkRoot');
    expect(res.body.root.id).toBe(rootId);
    expect(res.body.gpa).toBe('0x3fffffc01000');
    expect(res.body.leafLevel).toBe('4K');
    expect(res.body.steps.map((s: { level: number }) => s.level)).toEqual([4, 3, 2, 1]);
    const leaf = res.body.steps[3];
    expect(leaf).toMatchObject({ present: true, leaf: true, index: 1, mapping: { gpa: '0x3fffffc01000', level: '4K', kind: 'ram' } });
  });

  it('stops at the first non-present entry for an unmapped address', async () => {
    const res = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/walk`).query({ gpa: '0x100000000' });
    expect(res.status).toBe(200);
    expect(res.body.leafLevel).toBeNull();
    expect(res.body.steps.at(-1).present).toBe(false);
  });

  it('requires a u64 gpa and a known root', async () => {
    const missing = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/walk`);
    expect(missing.body).toMatchObject({ status: 400, field: 'gpa', detail: 'gpa is required' });
    expectDocumented(missing, 'walkRoot');
    const bad = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/walk?gpa=0xZZ`);
    expect(bad.body).toMatchObject({ status: 400, field: 'gpa' });
    expect((await t.api.get(`/v1/vms/${vmId}/roots/r-nope/walk?gpa=0`)).status).toBe(404);
  });
});
