// Cluster mode over HTTP on a real PostgreSQL (TEST_DATABASE=postgres): a call that has to take
// a VM's lease over while another instance's transaction keeps the lease row locked (a paused
// owner inside its group) answers 503 with Retry-After once lock_timeout passes, instead of
// waiting for that instance, and succeeds once the lock is gone.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresLogWriter } from '../../src/db/postgres-log-writer.js';
import { withVmDefaults } from '../../src/sim/index.js';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';
import { TEST_STORE } from '../helpers/store.js';

const TTL = 1000;

describe.skipIf(TEST_STORE !== 'postgres')('a takeover behind a locked lease row (cluster mode, PostgreSQL)', () => {
  let t: TestApp | undefined;
  afterAll(async () => {
    await t?.close();
    removeTempDirs();
  });

  it('answers 503 not-ready with Retry-After after lock_timeout, then takes the VM once the lock is gone', async () => {
    t = await build({
      workers: 0,
      cluster: {
        instanceId: 'b',
        advertisedUrl: 'http://127.0.0.1:1',
        leaseTtlMs: 60_000,
        leaseRenewMs: 20_000,
        forwardTimeoutMs: 1000,
        sessionLimits: { idleInTransactionTimeoutMs: 20_000, lockTimeoutMs: 300 },
      },
    });
    // A VM another instance ("a") created, whose lease has expired.
    const writer = await PostgresLogWriter.open(t.databaseUrl);
    const vmId = randomUUID();
    await writer.insertVm(
      { id: vmId, config: withVmDefaults({ name: 'locked' }), createdAt: new Date(), owner: null },
      { owner: 'a', address: 'http://127.0.0.1:2', ttlMs: TTL },
    );
    await writer.close();
    await new Promise((resolve) => setTimeout(resolve, TTL + 200));
    // a's group, paused with the lease row locked FOR SHARE.
    const held = new pg.Client({ connectionString: t.databaseUrl });
    await held.connect();
    try {
      await held.query('BEGIN');
      await held.query('SELECT 1 FROM "VmLease" WHERE "vmId" = $1 FOR SHARE', [vmId]);
      const busy = await t.api.get(`/v1/vms/${vmId}`);
      expect(busy.status).toBe(503);
      expect(busy.headers['retry-after']).toBe('1');
      expect(busy.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(busy.body).toMatchObject({ type: 'urn:prefault-lab:problem:not-ready', detail: expect.stringMatching(/not applied/) });
      await held.query('COMMIT');
      const taken = await t.api.get(`/v1/vms/${vmId}`);
      expect(taken.status).toBe(200);
      expect(taken.headers['x-prefault-instance']).toBe('b');
    } finally {
      await held.end();
    }
  });
});
