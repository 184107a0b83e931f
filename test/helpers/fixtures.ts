// Shared request bodies and small steps used across the HTTP tests.
import { expect } from 'vitest';
import type { TestApp } from './build.js';

/** The upstream selftest's slot (spec example S01): 2 MiB + 4 KiB of untouched 4K memory. */
export const SELFTEST_SLOT = {
  guestPhysAddr: '0x3fffffc00000',
  size: '0x201000',
  userspaceAddr: '0x7f0000001000',
  backing: { pageSize: '4K', writable: false, mapped: true },
};

/** 1 GiB at 4 GiB on 2M pages. */
export const THP_SLOT = { guestPhysAddr: '0x100000000', size: '0x40000000', backing: { pageSize: '2M', writable: true } };

export async function createVm(t: TestApp, body: Record<string, unknown> = { name: 'lab-1' }): Promise<string> {
  const res = await t.api.post('/v1/vms').send(body);
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

/** A default VM with the selftest slot (as 0/10) and vCPU 0. */
export async function createSelftestVm(t: TestApp): Promise<string> {
  const vmId = await createVm(t);
  const slot = await t.api.put(`/v1/vms/${vmId}/memslots/0/10`).send(SELFTEST_SLOT);
  expect(slot.status, slot.text).toBe(200);
  expect(slot.body.ret, slot.text).toBe(0);
  const vcpu = await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 });
  expect(vcpu.status, vcpu.text).toBe(201);
  return vmId;
}

/** The only root's id (fails unless there is exactly one). */
export async function onlyRootId(t: TestApp, vmId: string): Promise<string> {
  const res = await t.api.get(`/v1/vms/${vmId}/roots`);
  expect(res.status).toBe(200);
  expect(res.body.roots).toHaveLength(1);
  return res.body.roots[0].id as string;
}
