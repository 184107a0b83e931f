// Bearer tokens: with tokens configured every /v1 call needs one (401 problem otherwise),
// probes, the document and the UI stay open, and each VM is visible only to the token that
// created it (another token gets exactly the 404 of a VM that does not exist).
import { queryRows } from '../helpers/store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/service/token-hash.js';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';
import { SELFTEST_SLOT } from '../helpers/fixtures.js';
import { expectDocumented } from '../helpers/openapi.js';

const ALICE = 'alice-7f3c9e1b2d4a6058';
const BOB = 'bob-0c8e2a4f6b1d3957';
const tokens = [hashToken(ALICE), hashToken(BOB)];

let t: TestApp;
beforeAll(async () => {
  t = await build({ apiTokenHashes: tokens });
});
afterAll(async () => {
  await t.close();
  removeTempDirs();
});

const as = (token: string) => ({
  get: (url: string) => t.api.get(url).set('authorization', `Bearer ${token}`),
  post: (url: string, body: object) => t.api.post(url).set('authorization', `Bearer ${token}`).send(body),
  put: (url: string, body: object) => t.api.put(url).set('authorization', `Bearer ${token}`).send(body),
  delete: (url: string) => t.api.delete(url).set('authorization', `Bearer ${token}`),
});

async function aliceVm(): Promise<string> {
  const vm = await as(ALICE).post('/v1/vms', { name: 'alice-vm' });
  expect(vm.status).toBe(201);
  const id = vm.body.id as string;
  expect((await as(ALICE).put(`/v1/vms/${id}/memslots/0/10`, SELFTEST_SLOT)).status).toBe(200);
  expect((await as(ALICE).post(`/v1/vms/${id}/vcpus`, { id: 0 })).status).toBe(201);
  return id;
}

describe('with tokens configured', () => {
  it('answers a /v1 call without a token, with an unknown one or another scheme with a 401 problem', async () => {
    for (const header of [undefined, 'Bearer not-a-token', `Basic ${ALICE}`, 'Bearer', `Bearer ${ALICE}x`]) {
      const req = t.api.get('/v1/vms');
      const res = header === undefined ? await req : await req.set('authorization', header);
      expect(res.status, String(header)).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).toMatchObject({ type: 'urn:prefault-lab:problem:unauthorized', status: 401, title: 'Unauthorized' });
      expectDocumented(res, 'listVms');
    }
    expect((await t.api.post('/v1/vms').send({ name: 'x' })).status).toBe(401);
  });

  it('leaves health, readiness, the document and the UI open', async () => {
    for (const url of ['/healthz', '/readyz', '/openapi.json', '/openapi.yaml']) expect((await t.api.get(url)).status, url).toBe(200);
    expect((await t.api.get('/docs/').redirects(1)).status).toBe(200);
    expect((await t.api.get('/')).status).not.toBe(401);
  });

  it('keeps each VM to the token that created it: 404 and unlisted for any other', async () => {
    const vmId = await aliceVm();
    expect((await as(ALICE).get(`/v1/vms/${vmId}`)).status).toBe(200);
    const missing = await as(BOB).get('/v1/vms/00000000-0000-0000-0000-000000000000');
    for (const [method, url, body] of [
      ['get', `/v1/vms/${vmId}`],
      ['get', `/v1/vms/${vmId}/roots`],
      ['get', `/v1/vms/${vmId}/operations`],
      ['post', `/v1/vms/${vmId}/vcpus/0/pre-fault`, { gpa: '0x3fffffc00000', size: '0x1000' }],
      ['put', `/v1/vms/${vmId}/memslots/0/1`, { guestPhysAddr: '0x0', size: '0x1000' }],
      ['delete', `/v1/vms/${vmId}`],
    ] as const) {
      const bob = as(BOB);
      const res = method === 'get' || method === 'delete' ? await bob[method](url) : await bob[method](url, body!);
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(res.body.detail).toBe(missing.body.detail.replace('00000000-0000-0000-0000-000000000000', vmId));
    }
    expect((await as(BOB).get('/v1/vms')).body.vms.map((v: { id: string }) => v.id)).not.toContain(vmId);
    expect((await as(ALICE).get('/v1/vms')).body.vms.map((v: { id: string }) => v.id)).toContain(vmId);
    // Alice's VM is untouched by Bob's attempts.
    expect((await as(ALICE).get(`/v1/vms/${vmId}/operations`)).body.operations).toHaveLength(2);
    const listCursor = await as(BOB).get(`/v1/vms?cursor=${vmId}`);
    expect(listCursor.status).toBe(400);
  });

  it('stores only the token hash as the owner, and keeps ownership across a restart', async () => {
    const vmId = await aliceVm();
    await t.close();
    const [row] = await queryRows<{ ownerTokenHash: string }>(t.databaseUrl, 'SELECT "ownerTokenHash" FROM "Vm" WHERE "id" = ?', vmId);
    expect(row!.ownerTokenHash).toBe(hashToken(ALICE));
    expect(JSON.stringify(await queryRows(t.databaseUrl, 'SELECT * FROM "Vm"'))).not.toContain(ALICE);
    t = await build({ databaseUrl: t.databaseUrl, apiTokenHashes: tokens });
    expect((await as(ALICE).get(`/v1/vms/${vmId}`)).status).toBe(200);
    expect((await as(BOB).get(`/v1/vms/${vmId}`)).status).toBe(404);
  });
});

describe('without tokens', () => {
  it('runs open and sees every VM', async () => {
    const open = await build({ databaseUrl: t.databaseUrl });
    try {
      const listed = await open.api.get('/v1/vms');
      expect(listed.status).toBe(200);
      expect(listed.body.vms.length).toBeGreaterThan(0);
    } finally {
      await open.close();
    }
  });
});
