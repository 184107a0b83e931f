// The README's curl tour through the typed client (client/index.ts) against a listening server:
// the request bodies are written as the tour writes them, so this file only compiles while the
// client's types keep defaulted request fields optional.
import type { AddressInfo } from 'node:net';
import { beforeAll, expect, it } from 'vitest';
import { createPrefaultClient, type PrefaultClient } from '../../client/index.js';
import { useTestApp } from '../helpers/build.js';

const ctx = useTestApp();
let client: PrefaultClient;

beforeAll(async () => {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  client = createPrefaultClient(`http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`);
});

it('walks the curl tour: VM, memslot, vCPU, pre-fault, EINVAL, what is mapped, a 400 naming gpa', async () => {
  // 1. A VM with every default.
  const vm = await client.POST('/v1/vms', { body: { name: 'lab-1' } });
  expect(vm.response.status).toBe(201);
  const vmId = vm.data!.id;
  const vmPath = { vmId };

  // 2. The selftest's memslot: address space 0, slot 10.
  const slot = await client.PUT('/v1/vms/{vmId}/memslots/{addressSpace}/{slot}', {
    params: { path: { vmId, addressSpace: 0, slot: 10 } },
    body: {
      guestPhysAddr: '0x3fffffc00000',
      size: '0x201000',
      userspaceAddr: '0x7f0000001000',
      backing: { pageSize: '4K', writable: false },
    },
  });
  expect(slot.error).toBeUndefined();

  // 3. vCPU 0, then pre-fault 2 MiB: 512 4K FIXED steps, mapped as one coalesced read-only run.
  const vcpu = await client.POST('/v1/vms/{vmId}/vcpus', { params: { path: vmPath }, body: { id: 0 } });
  expect(vcpu.error).toBeUndefined();
  const vcpuPath = { vmId, vcpuId: 0 };
  const preFault = await client.POST('/v1/vms/{vmId}/vcpus/{vcpuId}/pre-fault', {
    params: { path: vcpuPath },
    body: { gpa: '0x3fffffc00000', size: '0x200000' },
  });
  expect(preFault.data).toMatchObject({
    ret: 0,
    errno: null,
    range: { gpa: '0x3fffffe00000', size: '0x0' },
    iterations: [{ gpa: '0x3fffffc00000', result: 'FIXED', level: '4K', consumed: '0x1000', count: 512 }],
    root: { id: 'r0' },
    mapped: [{ gpa: '0x3fffffc00000', size: '0x200000', level: '4K', count: 512, writable: false }],
  });

  // 4. A size of 0 is the kernel's EINVAL, answered with HTTP 200.
  const empty = await client.POST('/v1/vms/{vmId}/vcpus/{vcpuId}/pre-fault', {
    params: { path: vcpuPath },
    body: { gpa: '0x3fffffc00000', size: 0 },
  });
  expect(empty.response.status).toBe(200);
  expect(empty.data).toMatchObject({ ret: -22, errno: 'EINVAL' });

  // 5. What is mapped now: the root, its leaf rows, a page walk, the operation log.
  const roots = await client.GET('/v1/vms/{vmId}/roots', { params: { path: vmPath } });
  expect(roots.data).toMatchObject({ roots: [{ id: 'r0', counts: { '4K': 512 } }] });
  const mappings = await client.GET('/v1/vms/{vmId}/roots/{rootId}/mappings', {
    params: { path: { vmId, rootId: 'r0' }, query: { from: '0x3fffffc00000', limit: 10 } },
  });
  expect(mappings.data).toMatchObject({ mappings: [{ gpa: '0x3fffffc00000', size: '0x200000', level: '4K', count: 512 }] });
  const walk = await client.GET('/v1/vms/{vmId}/roots/{rootId}/walk', {
    params: { path: { vmId, rootId: 'r0' }, query: { gpa: '0x3fffffc01000' } },
  });
  expect(walk.data).toMatchObject({ gpa: '0x3fffffc01000', leafLevel: '4K' });
  const operations = await client.GET('/v1/vms/{vmId}/operations', {
    params: { path: vmPath, query: { limit: 5 } },
  });
  expect(operations.data!.operations.map((entry) => entry.op.op).sort()).toEqual(['create_vcpu', 'pre_fault', 'pre_fault', 'set_memslot']);

  // 6. A caller mistake is an RFC 9457 problem naming the field.
  const mistake = await client.POST('/v1/vms/{vmId}/vcpus/{vcpuId}/pre-fault', {
    params: { path: vcpuPath },
    body: { gpa: -1, size: 4096 },
  });
  expect(mistake.response.status).toBe(400);
  expect(mistake.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(mistake.error).toMatchObject({ status: 400, field: 'gpa' });
});
