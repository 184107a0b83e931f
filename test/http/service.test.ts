// Liveness, readiness (503 until VMs are rebuilt), and problem+json for what no route matches
// (404, or 405 for a documented path called with another method).
import { afterAll, describe, expect, it } from 'vitest';
import { build, removeTempDirs, tempDbFile } from '../helpers/build.js';
import { freshDatabaseUrl, queryRows } from '../helpers/store.js';
import { expectDocumented } from '../helpers/openapi.js';

afterAll(removeTempDirs);

describe('health and readiness', () => {
  it('answers healthz at once and readyz only after replay finished', async () => {
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const t = await build({ replayGate: gate, waitForReplay: false });
    try {
      const health = await t.api.get('/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok' });
      expectDocumented(health, 'healthz');

      const early = await t.api.get('/readyz');
      expect(early.status).toBe(503);
      expect(early.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(early.body).toMatchObject({ type: 'urn:prefault-lab:problem:not-ready', status: 503 });
      expect(early.headers['retry-after']).toBe('1'); // loading passes on its own
      expectDocumented(early, 'readyz');

      // A /v1 call made before replay waits for it instead of failing.
      const list = t.api.get('/v1/vms').then((res) => res);
      openGate();
      await t.app.liveVms.whenLoaded();
      const ready = await t.api.get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', vms: 0 });
      expectDocumented(ready, 'readyz');
      const listed = await list;
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({ vms: [], nextCursor: null });
    } finally {
      await t.close();
    }
  });
});

describe('a database the engine cannot replay', () => {
  it('keeps readyz and every /v1 call at 503, naming the VM', async () => {
    const databaseUrl = await freshDatabaseUrl(tempDbFile);
    await queryRows(
      databaseUrl,
      'INSERT INTO "Vm" ("id", "name", "config", "createdAt") VALUES (?, ?, ?, ?)',
      'vm-bad',
      'bad',
      JSON.stringify({ name: 'bad', type: 'tdx', host: { vendor: 'amd' } }),
      new Date().toISOString(),
    );
    const t = await build({ databaseUrl, waitForReplay: false });
    try {
      await expect(t.app.liveVms.whenLoaded()).rejects.toThrow(/vm-bad/);
      const ready = await t.api.get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.detail).toContain('vm-bad');
      expect(ready.headers['retry-after']).toBeUndefined(); // a failed replay does not pass by waiting
      expectDocumented(ready, 'readyz');
      const list = await t.api.get('/v1/vms');
      expect(list.status).toBe(503);
      expect(list.body).toMatchObject({ type: 'urn:prefault-lab:problem:not-ready', status: 503 });
      expectDocumented(list, 'listVms');
    } finally {
      await t.close();
    }
  });
});

describe('requests no route matches', () => {
  it('answers an unknown path with a 404 problem', async () => {
    const t = await build();
    try {
      const res = await t.api.get('/v1/nope');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toEqual({
        type: 'urn:prefault-lab:problem:not-found',
        title: 'Not found',
        status: 404,
        detail: 'no route GET /v1/nope',
        instance: '/v1/nope',
      });
      // A documented path with a method it does not take: 405 (test/http/method-not-allowed.test.ts).
      const wrongMethod = await t.api.patch('/v1/vms');
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.allow).toBe('GET, POST, HEAD');
      expect(wrongMethod.body.type).toBe('urn:prefault-lab:problem:method-not-allowed');
    } finally {
      await t.close();
    }
  });

  it('rejects unknown query parameters with a 400 naming them', async () => {
    const t = await build();
    try {
      const res = await t.api.get('/healthz?verbose=1');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, field: 'verbose', type: 'urn:prefault-lab:problem:invalid-input' });
    } finally {
      await t.close();
    }
  });
});
