// A scenario import is bounded before anything is built: a guest_access step covers at most
// DEFAULT_IMPORT_CAPS.accessPagesPerStep pages (one operation each) and an import applies at
// most DEFAULT_IMPORT_CAPS.operations operations; past either, a 400 naming the step and the
// cap, and no VM is created. An export holds at most as many log entries as one import
// applies: a longer log is a 413 before it is read.
import { describe, expect, it } from 'vitest';
import { DEFAULT_IMPORT_CAPS } from '../../src/labs/scenario-io.js';
import { useTestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

const t = useTestApp();

const PAGE = 0x1000;
const hexOf = (n: number): string => `0x${n.toString(16)}`;
const access = (gpa: number, pages: number) => ({ op: 'guest_access', vcpu: 0, gpa: hexOf(gpa), size: hexOf(pages * PAGE), access: 'read' });
const scenario = (steps: object[]) => ({
  name: 'bounded',
  memslots: [{ slot: 0, guest_phys_addr: '0x0', size: '0x10000000000' }],
  vcpus: [{ id: 0 }],
  steps,
});
const vmCount = async (): Promise<number> => (await t.api.get('/v1/vms?limit=1000')).body.vms.length;

describe('POST /v1/vms/import bounds', () => {
  it('refuses a guest_access step of 1 TiB (the 183-byte body) with a 400 naming the step and the cap', async () => {
    const body =
      '{"memslots":[{"slot":0,"guest_phys_addr":"0x0","size":"0x10000000000"}],"vcpus":[{"id":0}],' +
      '"steps":[{"op":"guest_access","vcpu":0,"gpa":"0x0","size":"0x10000000000","access":"read"}]}';
    expect(body).toHaveLength(183);
    const before = await vmCount();
    const res = await t.api.post('/v1/vms/import').set('content-type', 'application/json').send(body);
    expect(res.status, res.text).toBe(400);
    expectDocumented(res, 'importVm');
    expect(res.body.field).toBe('steps[0].size');
    expect(res.body.detail).toContain(`at most ${DEFAULT_IMPORT_CAPS.accessPagesPerStep} pages`);
    expect(res.body.detail).toContain('268435456');
    expect(await vmCount()).toBe(before);
  });

  it('refuses a step one page over the cap', async () => {
    const res = await t.api.post('/v1/vms/import').send(scenario([access(0, DEFAULT_IMPORT_CAPS.accessPagesPerStep + 1)]));
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect(res.body.field).toBe('steps[0].size');
  });

  it('refuses a scenario whose steps together expand past the operations cap, naming the step that crosses it', async () => {
    const perStep = DEFAULT_IMPORT_CAPS.accessPagesPerStep;
    const steps = Array.from({ length: Math.ceil(DEFAULT_IMPORT_CAPS.operations / perStep) + 1 }, (_, i) => access(i * perStep * PAGE, perStep));
    const crossing = Math.floor((DEFAULT_IMPORT_CAPS.operations - 2) / perStep); // 2: the memslot and the vCPU
    const before = await vmCount();
    const res = await t.api.post('/v1/vms/import').send(scenario(steps));
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect(res.body.field).toBe(`steps[${crossing}]`);
    expect(res.body.detail).toContain(`at most ${DEFAULT_IMPORT_CAPS.operations}`);
    expect(await vmCount()).toBe(before);
  });

  it('refuses a guest_access range past 2^64, naming its gpa', async () => {
    const res = await t.api.post('/v1/vms/import').send(scenario([{ ...access(0, 2), gpa: '0xfffffffffffff000' }]));
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect(res.body.field).toBe('steps[0].gpa');
  });

  it('imports a step of exactly the cap, one logged access per page', async () => {
    const pages = DEFAULT_IMPORT_CAPS.accessPagesPerStep;
    const res = await t.api.post('/v1/vms/import').send(scenario([access(0, pages)]));
    expect(res.status, res.text.slice(0, 300)).toBe(201);
    expect(res.body).toMatchObject({ steps: pages + 2, differing: [] });
    const log = await t.api.get(`/v1/vms/${res.body.vm.id}/operations?cursor=${pages}`);
    expect(log.body.operations.map((e: { seq: number; op: { gpa: string } }) => [e.seq, e.op.gpa])).toEqual([
      [pages + 1, hexOf((pages - 2) * PAGE)],
      [pages + 2, hexOf((pages - 1) * PAGE)],
    ]);
  });
});

describe('GET /v1/vms/{vmId}/export bounds', () => {
  it('exports a log of exactly the import cap, and refuses one entry more with 413', async () => {
    const cap = DEFAULT_IMPORT_CAPS.operations;
    const perStep = DEFAULT_IMPORT_CAPS.accessPagesPerStep;
    const steps: object[] = [];
    for (let page = 0, left = cap - 2; left > 0; left -= perStep, page += perStep) steps.push(access(page * PAGE, Math.min(perStep, left)));
    const imported = await t.api.post('/v1/vms/import').send(scenario(steps));
    expect(imported.status, imported.text.slice(0, 300)).toBe(201);
    expect(imported.body.steps).toBe(cap);
    const vmId = imported.body.vm.id as string;
    const full = await t.api.get(`/v1/vms/${vmId}/export`);
    expect(full.status, full.text.slice(0, 300)).toBe(200);
    expect(full.body.steps).toHaveLength(cap - 1); // the memslot is a step, the vCPU is hoisted into vcpus[]

    expect((await t.api.post(`/v1/vms/${vmId}/vcpus/0/access`).send({ gpa: '0x0', kind: 'read' })).status).toBe(200);
    const over = await t.api.get(`/v1/vms/${vmId}/export`);
    expect(over.status, over.text.slice(0, 300)).toBe(413);
    expectDocumented(over, 'exportVm');
    expect(over.body.type).toBe('urn:prefault-lab:problem:response-too-large');
    expect(over.body.detail).toContain(`${cap + 1} entries`);
  });
});
