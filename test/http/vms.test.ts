// VMs: create (defaults, validation), list with pagination, get, delete, finalize,
// capabilities, and the VM quota.
import { describe, expect, it } from 'vitest';
import { build, useTestApp } from '../helpers/build.js';
import { createVm } from '../helpers/fixtures.js';
import { expectDocumented } from '../helpers/openapi.js';

const t = useTestApp();

const DEFAULT_HOST = {
  vendor: 'intel',
  tdp: true,
  tdpMmu: true,
  maxTdpLevel: 4,
  pagingLevel: 4,
  maxPhysAddr: 46,
  adBits: true,
  nxHugePages: false,
  maxHugePageLevel: '1G',
  mmioCaching: true,
  eagerPageSplit: true,
};

describe('POST /v1/vms', () => {
  it('creates a VM with every default filled, an id, createdAt and preFaultAllowed', async () => {
    const res = await t.api.post('/v1/vms').send({ name: 'lab-1' });
    expect(res.status).toBe(201);
    expectDocumented(res, 'createVm');
    expect(res.body).toEqual({
      id: expect.any(String),
      arch: 'x86',
      name: 'lab-1',
      type: 'default',
      host: DEFAULT_HOST,
      kernel: '6.18',
      prefaultPolicy: 'upstream',
      quirksDisabled: [],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      preFaultAllowed: true,
      dead: false,
      guestPhysBits: 46,
    });
  });

  it('keeps the given host knobs and fills the rest', async () => {
    const res = await t.api.post('/v1/vms').send({
      name: 'amd',
      type: 'sev_snp',
      host: { vendor: 'amd', pagingLevel: 5, maxPhysAddr: 52 },
      kernel: '6.16',
      prefaultPolicy: 'switch-root-mmu',
    });
    expect(res.status).toBe(201);
    expect(res.body.host).toEqual({ ...DEFAULT_HOST, vendor: 'amd', pagingLevel: 5, maxPhysAddr: 52 });
    expect(res.body).toMatchObject({ type: 'sev_snp', kernel: '6.16', prefaultPolicy: 'switch-root-mmu', preFaultAllowed: false });
  });

  it.each([
    ['an unknown field', { name: 'x', colour: 'red' }, 'colour'],
    ['an unknown host field', { name: 'x', host: { ept: true } }, 'host.ept'],
    ['a missing name', { type: 'default' }, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a wrong type', { name: 'x', host: { tdp: 'yes' } }, 'host.tdp'],
    ['an unknown enum value', { name: 'x', host: { vendor: 'arm' } }, 'host.vendor'],
    ['a combination the kernel cannot produce', { name: 'x', type: 'tdx', host: { vendor: 'amd' } }, 'type'],
  ])('answers %s with a 400 naming the field', async (_case, body, field) => {
    const res = await t.api.post('/v1/vms').send(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'urn:prefault-lab:problem:invalid-input', title: 'Invalid input', status: 400, field });
    expect(res.body.detail.length).toBeGreaterThan(0);
    expectDocumented(res, 'createVm');
  });

  it('answers malformed JSON and a missing body with a 400 about the body', async () => {
    const malformed = await t.api.post('/v1/vms').set('content-type', 'application/json').send('{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ status: 400, field: 'body' });
    const missing = await t.api.post('/v1/vms');
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ status: 400, field: 'body' });
  });

  it('answers a body that is not JSON with a 415 problem', async () => {
    const res = await t.api.post('/v1/vms').set('content-type', 'application/xml').send('<vm/>');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ type: 'urn:prefault-lab:problem:unsupported-media-type', status: 415 });
    expectDocumented(res, 'createVm');
  });

  it('answers a forgotten content-type (curl -d sends a form) and text/plain with a 415 that says what to send', async () => {
    const form = await t.api.post('/v1/vms').set('content-type', 'application/x-www-form-urlencoded').send('{"name":"x"}');
    const text = await t.api.post('/v1/vms').set('content-type', 'text/plain').send('{"name":"x"}');
    for (const [res, sent] of [
      [form, 'application/x-www-form-urlencoded'],
      [text, 'text/plain'],
    ] as const) {
      expect(res.status).toBe(415);
      expect(res.body.type).toBe('urn:prefault-lab:problem:unsupported-media-type');
      expect(res.body.detail).toContain(`sent as ${sent}`);
      expect(res.body.detail).toContain('content-type: application/json');
      expect(res.body.detail).not.toMatch(/must be object/);
      expectDocumented(res, 'createVm');
    }
  });

  it('answers an oversized body with a 413 problem', async () => {
    const res = await t.api.post('/v1/vms').send({ name: 'x'.repeat(100 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'urn:prefault-lab:problem:payload-too-large', status: 413 });
    expectDocumented(res, 'createVm');
  });
});

describe('GET /v1/vms and /v1/vms/{vmId}', () => {
  it('gets a VM by id and 404s an unknown id', async () => {
    const vmId = await createVm(t, { name: 'get-me' });
    const res = await t.api.get(`/v1/vms/${vmId}`);
    expect(res.status).toBe(200);
    expectDocumented(res, 'getVm');
    expect(res.body).toMatchObject({ id: vmId, name: 'get-me' });
    const missing = await t.api.get('/v1/vms/no-such-vm');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ type: 'urn:prefault-lab:problem:not-found', status: 404 });
    expect(missing.body.detail).toContain('no-such-vm');
    expectDocumented(missing, 'getVm');
  });

  it('lists VMs in creation order, a page at a time', async () => {
    const local = await build();
    try {
      const ids: string[] = [];
      for (const name of ['a', 'b', 'c', 'd', 'e']) ids.push(await createVm(local, { name }));
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await local.api.get('/v1/vms').query({ limit: 2, ...(cursor && { cursor }) });
        expect(res.status).toBe(200);
        expectDocumented(res, 'listVms');
        expect(res.body.vms.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.vms.map((vm: { id: string }) => vm.id));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(new Set(seen)).toEqual(new Set(ids));
      expect(seen).toHaveLength(5);
      const all = await local.api.get('/v1/vms');
      expect(all.body.vms.map((vm: { name: string }) => vm.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(all.body.nextCursor).toBeNull();
    } finally {
      await local.close();
    }
  });

  it('answers a bad limit or cursor with a 400 naming it', async () => {
    const limit = await t.api.get('/v1/vms?limit=0');
    expect(limit.status).toBe(400);
    expect(limit.body.field).toBe('limit');
    const notANumber = await t.api.get('/v1/vms?limit=many');
    expect(notANumber.body).toMatchObject({ status: 400, field: 'limit' });
    const cursor = await t.api.get('/v1/vms?cursor=nobody');
    expect(cursor.body).toMatchObject({ status: 400, field: 'cursor' });
    expectDocumented(cursor, 'listVms');
  });
});

describe('DELETE /v1/vms/{vmId}', () => {
  it('deletes a VM; afterwards it is 404 everywhere', async () => {
    const vmId = await createVm(t, { name: 'doomed' });
    const res = await t.api.delete(`/v1/vms/${vmId}`);
    expect(res.status).toBe(204);
    expectDocumented(res, 'deleteVm');
    expect((await t.api.get(`/v1/vms/${vmId}`)).status).toBe(404);
    expect((await t.api.get(`/v1/vms/${vmId}/roots`)).status).toBe(404);
    const again = await t.api.delete(`/v1/vms/${vmId}`);
    expect(again.status).toBe(404);
    expectDocumented(again, 'deleteVm');
  });
});

describe('finalize and capabilities', () => {
  it('finalize allows pre-faulting on an SEV-SNP VM (LAUNCH_FINISH)', async () => {
    const vmId = await createVm(t, { name: 'snp', type: 'sev_snp', host: { vendor: 'amd' } });
    expect((await t.api.get(`/v1/vms/${vmId}`)).body.preFaultAllowed).toBe(false);
    const res = await t.api.post(`/v1/vms/${vmId}/finalize`);
    expect(res.status).toBe(200);
    expectDocumented(res, 'finalizeVm');
    expect(res.body).toEqual({ ret: 0, errno: null });
    expect((await t.api.get(`/v1/vms/${vmId}`)).body.preFaultAllowed).toBe(true);
  });

  it('finalize on a default VM is a simulated ioctl error, still HTTP 200', async () => {
    const vmId = await createVm(t);
    const res = await t.api.post(`/v1/vms/${vmId}/finalize`);
    expect(res.status).toBe(200);
    expectDocumented(res, 'finalizeVm');
    expect(res.body.ret).toBeLessThan(0);
    expect(res.body.errno).toEqual(expect.any(String));
    expect((await t.api.post('/v1/vms/nope/finalize')).status).toBe(404);
  });

  it('reports KVM_CAP_PRE_FAULT_MEMORY = 1 with TDP and 0 with shadow paging', async () => {
    const tdp = await createVm(t);
    const shadow = await createVm(t, { name: 'shadow', host: { tdp: false } });
    const one = await t.api.get(`/v1/vms/${tdp}/capabilities`);
    expect(one.status).toBe(200);
    expectDocumented(one, 'getCapabilities');
    expect(one.body).toEqual({ KVM_CAP_PRE_FAULT_MEMORY: 1 });
    expect((await t.api.get(`/v1/vms/${shadow}/capabilities`)).body).toEqual({ KVM_CAP_PRE_FAULT_MEMORY: 0 });
    expect((await t.api.get('/v1/vms/nope/capabilities')).status).toBe(404);
  });
});

describe('quota', () => {
  it('answers a VM beyond maxVms with a 429 problem', async () => {
    const small = await build({ maxVms: 1 });
    try {
      await createVm(small);
      const res = await small.api.post('/v1/vms').send({ name: 'one-too-many' });
      expect(res.status).toBe(429);
      expect(res.body).toMatchObject({ type: 'urn:prefault-lab:problem:limit-exceeded', status: 429 });
      expectDocumented(res, 'createVm');
    } finally {
      await small.close();
    }
  });
});
