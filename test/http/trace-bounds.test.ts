// The trace of a big operation is bounded: past MAX_TRACE_EVENTS events the whole trace is
// a 413 that says how many there are and how to ask for a range, and a range answers
// exactly those events of the whole trace, the same with the engine in worker threads.
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_TRACE_EVENTS, MAX_TRACED_EVENTS } from '../../src/labs/trace.js';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

/** 16 MiB of 4K memory: a pre-fault of all of it emits a few events per page, more than one answer holds. */
const SLOT = { guestPhysAddr: '0x0', size: '0x1000000', backing: { pageSize: '4K', writable: true } };

const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  removeTempDirs();
});

/** A VM whose entry 3 is a pre-fault of the whole slot; its id. */
async function bigPreFault(t: TestApp): Promise<string> {
  const vm = await t.api.post('/v1/vms').send({ name: 'big-trace' });
  const id = vm.body.id as string;
  expect((await t.api.put(`/v1/vms/${id}/memslots/0/0`).send(SLOT)).status).toBe(200);
  expect((await t.api.post(`/v1/vms/${id}/vcpus`).send({ id: 0 })).status).toBe(201);
  const pf = await t.api.post(`/v1/vms/${id}/vcpus/0/pre-fault`).send({ gpa: '0x0', size: SLOT.size });
  expect(pf.body.ret, pf.text).toBe(0);
  return id;
}

const lines = (text: string): string[] => text.split('\n').slice(0, -1);
/** The event index a line carries (seconds after the seq, and microseconds). */
const indexOf = (line: string, seq: number): number => {
  const [, secs, usecs] = /\s(\d+)\.(\d{6}): /.exec(line)!;
  return (Number(secs) - seq) * 1_000_000 + Number(usecs);
};

describe.each([0, 2])('GET …/operations/{seq}/trace of a big pre-fault, %i engine workers', (workers) => {
  it('refuses the whole trace with 413 naming the count, and answers it a range at a time', async () => {
    const t = await build({ workers });
    apps.push(t);
    const vmId = await bigPreFault(t);
    const whole = await t.api.get(`/v1/vms/${vmId}/operations/3/trace`);
    expect(whole.status, whole.text.slice(0, 300)).toBe(413);
    expectDocumented(whole, 'getOperationTrace');
    expect(whole.body.type).toBe('urn:prefault-lab:problem:response-too-large');
    const total = Number(/emitted (\d+) events/.exec(whole.body.detail)![1]);
    expect(total).toBeGreaterThan(MAX_TRACE_EVENTS);
    expect(whole.body.detail).toContain(`?offset=0&limit=${MAX_TRACE_EVENTS}`);

    // Every event, a range at a time: each answer says the total, each line keeps its index.
    const all: string[] = [];
    for (let offset = 0; offset < total; offset += MAX_TRACE_EVENTS) {
      const page = await t.api.get(`/v1/vms/${vmId}/operations/3/trace?offset=${offset}&limit=${MAX_TRACE_EVENTS}`);
      expect(page.status).toBe(200);
      expectDocumented(page, 'getOperationTrace');
      expect(page.headers['x-trace-events']).toBe(String(total));
      expect(lines(page.text)).toHaveLength(Math.min(MAX_TRACE_EVENTS, total - offset));
      all.push(...lines(page.text));
    }
    expect(all.map((l) => indexOf(l, 3))).toEqual(all.map((_, i) => i));
    expect(all[0]).toMatch(/kvm_mmu_spte_requested: gfn 0 /);

    // A range answers exactly those events of the whole trace.
    const mid = await t.api.get(`/v1/vms/${vmId}/operations/3/trace?offset=${total - 7}&limit=5`);
    expect(lines(mid.text)).toEqual(all.slice(total - 7, total - 2));
    const tail = await t.api.get(`/v1/vms/${vmId}/operations/3/trace?offset=${total - 3}`);
    expect(lines(tail.text)).toEqual(all.slice(total - 3));
    const past = await t.api.get(`/v1/vms/${vmId}/operations/3/trace?offset=${total}`);
    expect(past.status).toBe(200);
    expect(past.text).toBe('');
    expect(past.headers['x-trace-events']).toBe(String(total));

    const tooMany = await t.api.get(`/v1/vms/${vmId}/operations/3/trace?limit=${MAX_TRACE_EVENTS + 1}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.field).toBe('limit');
  });
});

describe.each([0, 2])('GET …/operations/{seq}/trace of a call too big to trace, %i engine workers', (workers) => {
  it('answers 413 without building more than MAX_TRACED_EVENTS events, and the VM answers on', async () => {
    const t = await build({ workers });
    apps.push(t);
    const vm = await t.api.post('/v1/vms').send({ name: 'huge-trace' });
    const id = vm.body.id as string;
    // 1 GiB of 4K memory: about three events a page, past MAX_TRACED_EVENTS.
    const slot = { ...SLOT, size: '0x40000000' };
    expect((await t.api.put(`/v1/vms/${id}/memslots/0/0`).send(slot)).status).toBe(200);
    expect((await t.api.post(`/v1/vms/${id}/vcpus`).send({ id: 0 })).status).toBe(201);
    const pf = await t.api.post(`/v1/vms/${id}/vcpus/0/pre-fault`).send({ gpa: '0x0', size: slot.size });
    expect(pf.body.ret, pf.text).toBe(0);

    for (const query of ['', '?offset=0&limit=10']) {
      const refused = await t.api.get(`/v1/vms/${id}/operations/3/trace${query}`);
      expect(refused.status, refused.text).toBe(413);
      expect(refused.body.detail).toContain(`more than ${MAX_TRACED_EVENTS} events`);
      expectDocumented(refused, 'getOperationTrace');
    }
    expect((await t.api.get(`/v1/vms/${id}/vcpus/0`)).status).toBe(200);
  });
});
