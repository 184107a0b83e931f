// What the request validation refuses before any handler or store sees it, with the same
// 400 on SQLite and PostgreSQL: strings a store cannot hold (NUL, an unpaired UTF-16
// surrogate) anywhere in a path, query or body; integers not written in plain decimal; a
// cursor past the log's 32-bit seq; a JSON `null` where an object is documented; an
// imported name longer than a VM name.
import { describe, expect, it } from 'vitest';
import { routeSpecs } from '../../src/contract/openapi-document.js';
import { useTestApp } from '../helpers/build.js';
import { createSelftestVm } from '../helpers/fixtures.js';
import { expectDocumented, openapi } from '../helpers/openapi.js';

const t = useTestApp({ rateLimit: { max: 0, windowMs: 1000 } });

const specs = routeSpecs(openapi.document);
const pathNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

describe('strings a store cannot hold', () => {
  // Every documented path and query parameter, one at a time, as "%00".
  const cases = specs.flatMap((spec) => [
    ...pathNames(spec.path).map((name) => ({ spec, name, url: spec.path.replace(`{${name}}`, '%00').replace(/\{\w+\}/g, '1') })),
    ...Object.keys((spec.schema.querystring?.properties as object | undefined) ?? {}).map((name) => ({
      spec,
      name,
      url: `${spec.path.replace(/\{\w+\}/g, '1')}?${name}=%00`,
    })),
  ]);

  it.each(cases.map((c) => [`${c.spec.method} ${c.url}`, c] as const))('%s is a 400 naming the parameter', async (_, { spec, name, url }) => {
    const res = await t.api[spec.method.toLowerCase() as 'get'](url);
    expect(res.status, res.text).toBe(400);
    expect(res.body.field).toBe(name);
    expectDocumented(res, spec.operationId);
  });

  it('refuses an unpaired surrogate in a body string or property name, and takes a paired one', async () => {
    for (const student of ['\ud800', 'ada\udc00']) {
      const res = await t.api.post('/v1/labs/huge-pages/sessions').set('content-type', 'application/json').send(JSON.stringify({ student }));
      expect(res.status, res.text).toBe(400);
      expect(res.body).toMatchObject({ field: 'student', detail: 'student must not contain NUL or an unpaired UTF-16 surrogate' });
      expectDocumented(res, 'createLabSession');
    }
    const paired = await t.api.post('/v1/labs/huge-pages/sessions').send({ student: 'ada \ud83d\ude00' });
    expect(paired.status, paired.text).toBe(201);

    const quiz = await t.api.post('/v1/quizzes').send({ topic: 'errno', seed: 7 });
    expect(quiz.status, quiz.text).toBe(201);
    const submitted = await t.api
      .post(`/v1/quizzes/${quiz.body.id}/submissions`)
      .set('content-type', 'application/json')
      .send('{"student":"ada","answers":{"q\\ud800":"EINVAL"}}');
    expect(submitted.status, submitted.text).toBe(400);
    expect(submitted.body.detail).toMatch(/property name that must not contain NUL or an unpaired UTF-16 surrogate/);
    expectDocumented(submitted, 'submitQuiz');

    const vm = await t.api.post('/v1/vms').set('content-type', 'application/json').send('{"name":"vm-\\udfff"}');
    expect(vm.status, vm.text).toBe(400);
    expect(vm.body.field).toBe('name');
  });
});

describe('integers in paths and queries are plain decimal', () => {
  it('refuses other spellings with a 400 naming the parameter, and takes decimal', async () => {
    const vmId = await createSelftestVm(t);
    for (const spelling of ['%20', '%200', '00', '0x0', '0e0', '0.0', '%2B0', '-0', '1e400'.replace('1', '9'.repeat(20))]) {
      const res = await t.api.get(`/v1/vms/${vmId}/vcpus/${spelling}`);
      expect(res.status, `${spelling}: ${res.text}`).toBe(400);
      expect(res.body.field).toBe('vcpuId');
      expectDocumented(res, 'getVcpu');
    }
    expect((await t.api.get(`/v1/vms/${vmId}/vcpus/0`)).status).toBe(200);
    for (const limit of ['0x10', '1e2', '1.0', '+1', ' 1', '01', '', '9007199254740993']) {
      const res = await t.api.get(`/v1/vms/${vmId}/operations`).query({ limit });
      expect(res.status, `limit=${limit}: ${res.text}`).toBe(400);
      expect(res.body.field).toBe('limit');
    }
    const decimal = await t.api.get(`/v1/vms/${vmId}/operations?limit=1`);
    expect(decimal.status).toBe(200);
    expect(decimal.body.operations).toHaveLength(1);
  });
});

describe('log positions past the 32-bit seq column', () => {
  it('a cursor or trace seq above 2^31-1 is a 400, not a store error', async () => {
    const vmId = await createSelftestVm(t);
    const last = await t.api.get(`/v1/vms/${vmId}/operations?cursor=2147483647`);
    expect(last.status, last.text).toBe(200);
    expect(last.body).toEqual({ operations: [], nextCursor: null });
    const past = await t.api.get(`/v1/vms/${vmId}/operations?cursor=2147483648`);
    expect(past.status, past.text).toBe(400);
    expect(past.body.field).toBe('cursor');
    expectDocumented(past, 'listOperations');
    const trace = await t.api.get(`/v1/vms/${vmId}/operations/2147483648/trace`);
    expect(trace.status, trace.text).toBe(400);
    expect(trace.body.field).toBe('seq');
  });
});

describe('bodies', () => {
  it('a JSON null is not an optional object body left out', async () => {
    // Reset's body ({mode}) is optional: left out it is {}, a JSON null is refused.
    const started = await t.api.post('/v1/labs/huge-pages/sessions').send({ student: 'strict' });
    const reset = `/v1/labs/huge-pages/sessions/${started.body.sessionId}/reset`;
    const sent = await t.api.post(reset).set('content-type', 'application/json').send('null');
    expect(sent.status, sent.text).toBe(400);
    expect(sent.body).toMatchObject({ field: 'body', detail: 'body must be object' });
    expectDocumented(sent, 'resetLabSession');
    const left = await t.api.post(reset);
    expect(left.status, left.text).toBe(200);
  });

  it('an imported name is bounded like a VM name', async () => {
    const scenario = (name: string) => ({ name, memslots: [], vcpus: [{ id: 0 }], steps: [] });
    const long = await t.api.post('/v1/vms/import').send(scenario('x'.repeat(101)));
    expect(long.status, long.text).toBe(400);
    expect(long.body.field).toBe('name');
    expectDocumented(long, 'importVm');
    const fits = await t.api.post('/v1/vms/import').send(scenario('x'.repeat(100)));
    expect(fits.status, fits.text).toBe(201);
  });
});
