// A scenario import is bounded before anything is built: a guest_access step covers at most
// DEFAULT_IMPORT_CAPS.accessPagesPerStep pages (one operation each) and an import applies at
// most DEFAULT_IMPORT_CAPS.operations operations; past either, a 400 naming the step and the
// cap, and no VM is created.
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
