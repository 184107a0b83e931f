// Every limit of docs/configuration.md "## Limits", each answered as documented: 413 for bodies, 429
// `limit-exceeded` for quotas, ENOMEM in the 200 body for page-table memory, 400 past the
// page size, 429 `rate-limited` with Retry-After per client.
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/service/token-hash.js';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';
import { createSelftestVm, createVm } from '../helpers/fixtures.js';
import { expectDocumented } from '../helpers/openapi.js';

afterAll(removeTempDirs);

async function withApp(options: Parameters<typeof build>[0], run: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await build(options);
  try {
    await run(t);
  } finally {
    await t.close();
  }
}

const expectProblem = (res: { status: number; headers: Record<string, unknown>; body: Record<string, unknown> }, status: number, kind: string) => {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: `urn:prefault-lab:problem:${kind}`, status, title: expect.any(String), detail: expect.any(String) });
};

describe('limits', () => {
  it('answers a body over bodyLimit with 413', () =>
    withApp({ bodyLimit: 2048 }, async (t) => {
      const res = await t.api.post('/v1/vms').send({ name: 'x'.repeat(3000) });
      expectProblem(res, 413, 'payload-too-large');
    }));

  it('answers a vCPU or memslot past the per-VM quota with 429', () =>
    withApp({ limits: { maxVcpus: 1, maxMemslots: 1 } }, async (t) => {
      const vmId = await createSelftestVm(t); // one memslot, one vCPU
      const vcpu = await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 1 });
      expectProblem(vcpu, 429, 'limit-exceeded');
      expectDocumented(vcpu, 'createVcpu');
      const slot = await t.api.put(`/v1/vms/${vmId}/memslots/0/1`).send({ guestPhysAddr: '0x100000000', size: '0x200000' });
      expectProblem(slot, 429, 'limit-exceeded');
      expectDocumented(slot, 'putMemslot');
      const log = (await t.api.get(`/v1/vms/${vmId}/operations`)).body.operations;
      expect(log).toHaveLength(2); // refused calls are not logged
    }));

  it('stops a pre-fault at the page-table budget: partial progress answers ret 0, the retry ENOMEM (HTTP 200 both)', () =>
    withApp({ limits: { maxTableBytes: 8 * 4096 } }, async (t) => {
      const vmId = await createVm(t);
      await t.api.put(`/v1/vms/${vmId}/memslots/0/0`).send({ guestPhysAddr: '0x0', size: '0x40000000', backing: { pageSize: '4K' } });
      await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 });
      const first = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x0', size: '0x40000000' });
      expect(first.status).toBe(200);
      expectDocumented(first, 'preFault');
      expect(first.body).toMatchObject({ ret: 0, errno: null });
      expect(BigInt(first.body.range.size)).toBeGreaterThan(0n); // stopped early: the rest is left
      const retry = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: first.body.range.gpa, size: first.body.range.size });
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ ret: -12, errno: 'ENOMEM', range: first.body.range });
      const roots = (await t.api.get(`/v1/vms/${vmId}/roots`)).body.roots;
      expect(roots[0].counts.tables).toBeLessThanOrEqual(8);
    }));

  it('answers an operation past the per-VM log length with 429', () =>
    withApp({ maxOperationsPerVm: 3 }, async (t) => {
      const vmId = await createSelftestVm(t); // seq 1, 2
      expect((await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc00000', size: '0x1000' })).status).toBe(200);
      const over = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc01000', size: '0x1000' });
      expectProblem(over, 429, 'limit-exceeded');
      expect((await t.api.get(`/v1/vms/${vmId}/roots`)).status).toBe(200); // reads still work
    }));

  it('answers an over-long path parameter or a malformed %-escape with a 400 naming the path', () =>
    withApp({}, async (t) => {
      for (const url of [`/v1/vms/${'a'.repeat(101)}`, '/v1/vms/%E0%A4%A', `/ui/${'b'.repeat(200)}.js`]) {
        const res = await t.api.get(url);
        expectProblem(res, 400, 'invalid-input');
        expect(res.body.field, url).toBe('path');
      }
    }));

  it('caps a page at 1000 rows', () =>
    withApp({}, async (t) => {
      const vmId = await createSelftestVm(t);
      expect((await t.api.get(`/v1/vms/${vmId}/operations?limit=1000`)).status).toBe(200);
      for (const url of [`/v1/vms/${vmId}/operations?limit=1001`, '/v1/vms?limit=5000', `/v1/vms/${vmId}/roots/r0/mappings?limit=1001`]) {
        const res = await t.api.get(url);
        expectProblem(res, 400, 'invalid-input');
        expect(res.body.field).toBe('limit');
      }
    }));
});

describe('rate limiting', () => {
  it('answers past the limit with a 429 rate-limited problem and Retry-After; probes stay open', () =>
    withApp({ rateLimit: { max: 3, windowMs: 60_000 } }, async (t) => {
      for (let i = 0; i < 3; i++) expect((await t.api.get('/v1/vms')).status).toBe(200);
      const limited = await t.api.get('/v1/vms');
      expectProblem(limited, 429, 'rate-limited');
      expectDocumented(limited, 'listVms');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['x-ratelimit-limit']).toBe('3');
      for (const url of ['/healthz', '/readyz', '/openapi.json']) expect((await t.api.get(url)).status).toBe(200);
    }));

  it('counts each token separately when tokens are on', () =>
    withApp({ rateLimit: { max: 2, windowMs: 60_000 }, apiTokenHashes: [hashToken('token-a'), hashToken('token-b')] }, async (t) => {
      const as = (token: string) => t.api.get('/v1/vms').set('authorization', `Bearer ${token}`);
      expect((await as('token-a')).status).toBe(200);
      expect((await as('token-a')).status).toBe(200);
      expect((await as('token-a')).status).toBe(429);
      expect((await as('token-b')).status).toBe(200); // same IP, another client
    }));

  it('is off with max 0', () =>
    withApp({ rateLimit: { max: 0, windowMs: 1000 } }, async (t) => {
      for (let i = 0; i < 20; i++) expect((await t.api.get('/v1/vms')).status).toBe(200);
    }));
});
