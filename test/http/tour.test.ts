// The newcomer's tour in openapi.yaml's description, run with the document's own request
// examples: if an example stops working, this fails.
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/build.js';
import { expectDocumented, openapi } from '../helpers/openapi.js';

type Examples = Record<string, { value: unknown }>;

function example(path: string, method: string, name: string): Record<string, unknown> {
  const operation = openapi.document.paths[path]![method] as { requestBody: { content: { 'application/json': { examples: Examples } } } };
  const found = operation.requestBody.content['application/json'].examples[name];
  if (!found) throw new Error(`no example ${name} for ${method} ${path}`);
  return found.value as Record<string, unknown>;
}

const t = useTestApp();

describe('the tour from the document', () => {
  it('create VM -> selftest memslot -> vCPU 0 -> pre-fault -> roots -> mappings', async () => {
    const vm = await t.api.post('/v1/vms').send(example('/v1/vms', 'post', 'minimal'));
    expect(vm.status).toBe(201);
    const vmId = vm.body.id as string;
    const slot = await t.api
      .put(`/v1/vms/${vmId}/memslots/0/10`)
      .send(example('/v1/vms/{vmId}/memslots/{addressSpace}/{slot}', 'put', 'selftest-slot'));
    expect(slot.body).toMatchObject({ ret: 0, errno: null });
    const vcpu = await t.api.post(`/v1/vms/${vmId}/vcpus`).send(example('/v1/vms/{vmId}/vcpus', 'post', 'plain'));
    expect(vcpu.status).toBe(201);
    const preFault = await t.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send(example('/v1/vms/{vmId}/vcpus/{vcpuId}/pre-fault', 'post', 'selftest'));
    expect(preFault.body).toMatchObject({ ret: 0, errno: null, range: { size: '0x0' } });
    const roots = await t.api.get(`/v1/vms/${vmId}/roots`);
    const mappings = await t.api.get(`/v1/vms/${vmId}/roots/${roots.body.roots[0].id}/mappings`);
    expect(mappings.status).toBe(200);
    expectDocumented(mappings, 'listMappings');
    expect(mappings.body.mappings[0]).toMatchObject({ gpa: '0x3fffffc00000', count: 512 });
  });

  it('every pre-fault example answers 200 on a VM with the one-gib-thp slot', async () => {
    const vmId = (await t.api.post('/v1/vms').send({ name: 'examples' })).body.id as string;
    const slot = await t.api.put(`/v1/vms/${vmId}/memslots/0/1`).send(example('/v1/vms/{vmId}/memslots/{addressSpace}/{slot}', 'put', 'one-gib-thp'));
    expect(slot.body.ret).toBe(0);
    await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 });
    const huge = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send(example('/v1/vms/{vmId}/vcpus/{vcpuId}/pre-fault', 'post', 'huge'));
    expect(huge.body).toMatchObject({ ret: 0, iterations: [{ level: '2M', count: 2 }] });
    const signal = await t.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send(example('/v1/vms/{vmId}/vcpus/{vcpuId}/pre-fault', 'post', 'signal-after-one'));
    expect(signal.body).toMatchObject({ ret: 0, range: { gpa: '0x100200000', size: '0x200000' } });
    const flags = await t.api
      .post(`/v1/vms/${vmId}/vcpus/0/pre-fault`)
      .send(example('/v1/vms/{vmId}/vcpus/{vcpuId}/pre-fault', 'post', 'flags-einval'));
    expect(flags.body).toMatchObject({ ret: -22, errno: 'EINVAL' });
  });

  it('every createVm example creates a VM', async () => {
    const examples = (openapi.document.paths['/v1/vms']!.post as { requestBody: { content: { 'application/json': { examples: Examples } } } })
      .requestBody.content['application/json'].examples;
    for (const [name, { value }] of Object.entries(examples)) {
      const res = await t.api.post('/v1/vms').send(value as object);
      expect(res.status, `${name}: ${res.text}`).toBe(201);
    }
  });
});
