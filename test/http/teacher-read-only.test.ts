// A teacher helps a student by reading their lab session and VMs (the lab page's data, walk,
// mappings, log), and never changes them: every operation of openapi.yaml that would write
// to a student's VM, or to their session, is a 403 problem+json for a teacher token, and
// the student's VM and log are as they were.
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/service/token-hash.js';
import { useTestApp } from '../helpers/build.js';
import { expectDocumented, openapi } from '../helpers/openapi.js';

const ada = { authorization: 'Bearer ada-token' };
const bob = { authorization: 'Bearer bob-token' };
const teacher = { authorization: 'Bearer teacher-token' };

const t = useTestApp({
  apiTokenHashes: [hashToken('ada-token'), hashToken('bob-token')],
  teacherTokenHashes: [hashToken('teacher-token')],
});

type Operation = { operationId: string; requestBody?: { content: { 'application/json': { examples?: Record<string, { value: unknown }> } } } };

/** Every operation of the document on a path under /v1/vms/{vmId} that is not a GET: the writes to a VM. */
const vmWrites = Object.entries(openapi.document.paths).flatMap(([path, item]) =>
  path.startsWith('/v1/vms/{vmId}')
    ? Object.entries(item as Record<string, Operation>)
        .filter(([method, op]) => method !== 'get' && method !== 'parameters' && typeof op?.operationId === 'string')
        .map(([method, op]) => ({ path, method, op }))
    : [],
);

/** The first request example the document gives an operation (the document checks they are valid). */
const example = (path: string, method: string): object | undefined =>
  Object.values((openapi.document.paths[path]![method] as Operation).requestBody?.content['application/json'].examples ?? {})[0]?.value as
    object | undefined;

async function adasVm() {
  const vm = await t.api.post('/v1/vms').set(ada).send({ name: 'ada' });
  const vmId = vm.body.id as string;
  const slot = await t.api.put(`/v1/vms/${vmId}/memslots/0/10`).set(ada).send(example('/v1/vms/{vmId}/memslots/{addressSpace}/{slot}', 'put'));
  expect(slot.status, slot.text).toBe(200);
  await t.api.post(`/v1/vms/${vmId}/vcpus`).set(ada).send({ id: 0 });
  const prefault = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).set(ada).send(example('/v1/vms/{vmId}/vcpus/{vcpuId}/pre-fault', 'post'));
  expect(prefault.status, prefault.text).toBe(200);
  return vmId;
}

describe('a teacher token and a student VM', () => {
  it('reads it: the VM, its vCPUs, memslots, roots, a walk, mappings, the log and a trace', async () => {
    const vmId = await adasVm();
    expect((await t.api.get(`/v1/vms/${vmId}`).set(bob)).status).toBe(404); // another student still sees nothing
    const roots = await t.api.get(`/v1/vms/${vmId}/roots`).set(teacher);
    expect(roots.status, roots.text).toBe(200);
    const rootId = roots.body.roots[0].id as string;
    for (const path of [
      '',
      '/vcpus',
      '/vcpus/0',
      '/memslots',
      '/capabilities',
      '/memory-attributes',
      `/roots/${rootId}/walk?gpa=0x1000`,
      `/roots/${rootId}/mappings`,
      '/operations',
      '/operations/3/trace',
      '/export',
    ]) {
      const res = await t.api.get(`/v1/vms/${vmId}${path}`).set(teacher);
      expect(res.status, `${path}: ${res.text}`).toBe(200);
    }
    expect((await t.api.get(`/v1/vms/${vmId}/operations`).set(teacher)).body).toEqual((await t.api.get(`/v1/vms/${vmId}/operations`).set(ada)).body);
  });

  it.each(vmWrites.map((w) => [w.op.operationId, w] as const))('never writes to it: %s is a 403 problem+json', async (_, { path, method, op }) => {
    const vmId = await adasVm();
    const before = (await t.api.get(`/v1/vms/${vmId}/operations`).set(ada)).body;
    const url = path.replace('{vmId}', vmId).replace('{vcpuId}', '0').replace('{addressSpace}', '0').replace('{slot}', '10');
    const body = example(path, method);
    const request = (t.api as unknown as Record<string, (url: string) => import('supertest').Test>)[method]!(url).set(teacher);
    const res = body === undefined ? await request : await request.send(body);
    expect(res.status, res.text).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expectDocumented(res, op.operationId);
    expect((await t.api.get(`/v1/vms/${vmId}`).set(ada)).status).toBe(200);
    expect((await t.api.get(`/v1/vms/${vmId}/operations`).set(ada)).body).toEqual(before);
  });

  it('covers every write the document has', () => {
    expect(vmWrites.map((w) => w.op.operationId)).toEqual(
      expect.arrayContaining([
        'deleteVm',
        'finalizeVm',
        'markVmDead',
        'putMemslot',
        'deleteMemslot',
        'setMemoryAttributes',
        'createVcpu',
        'patchVcpu',
        'preFault',
        'guestAccess',
      ]),
    );
  });
});

describe("a teacher token and a student's lab session", () => {
  it('reads the lab page (the session, its check) but neither predicts nor resets it', async () => {
    const start = await t.api.post('/v1/labs/huge-pages/sessions').set(ada).send({ mode: 'predict' });
    expect(start.status).toBe(201);
    const base = `/v1/labs/huge-pages/sessions/${start.body.sessionId}`;
    expect((await t.api.get(base).set(bob)).status).toBe(404);

    const read = await t.api.get(base).set(teacher);
    expect(read.status, read.text).toBe(200);
    expectDocumented(read, 'getLabSession');
    expect(read.body.vms).toEqual(start.body.vms);
    const check = await t.api.get(`${base}/check`).set(teacher);
    expect(check.status, check.text).toBe(200);
    const vmId = start.body.vms[0].id as string;
    expect((await t.api.get(`/v1/vms/${vmId}/operations`).set(teacher)).status).toBe(200);

    const predict = await t.api.post(`${base}/tasks/1/prediction`).set(teacher).send({ ret: 0 });
    expect(predict.status, predict.text).toBe(403);
    expectDocumented(predict, 'predictLabTask');
    const reset = await t.api.post(`${base}/reset`).set(teacher).send({});
    expect(reset.status, reset.text).toBe(403);
    expectDocumented(reset, 'resetLabSession');
    const after = await t.api.get(base).set(ada);
    expect(after.body.vms).toEqual(start.body.vms);
    expect(after.body.tasks[0]).not.toHaveProperty('prediction');
  });
});
