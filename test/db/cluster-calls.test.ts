// Cluster mode over HTTP on a real PostgreSQL (TEST_DATABASE=postgres), one instance ("b") in
// this process, the other instances played by the test:
//  - a call that has to take a VM's lease over while another instance's transaction keeps the
//    lease row locked (a paused owner inside its group) answers 503 with Retry-After once
//    lock_timeout passes, instead of waiting for that instance;
//  - a call forwarded to an owner that refuses, resets or never answers is a 502 or 504
//    problem with Retry-After saying whether it was applied, never the proxy's 500.
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../src/config.js';
import { PostgresLogWriter } from '../../src/db/postgres-log-writer.js';
import { withVmDefaults } from '../../src/sim/index.js';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';
import { TEST_STORE } from '../helpers/store.js';

const TTL = 1000;
const CLUSTER: ClusterConfig = {
  instanceId: 'b',
  advertisedUrl: 'http://127.0.0.1:1',
  leaseTtlMs: 60_000,
  leaseRenewMs: 20_000,
  forwardTimeoutMs: 500,
  sessionLimits: { idleInTransactionTimeoutMs: 20_000, lockTimeoutMs: 300 },
};

/** A TCP server playing a broken owner: it resets every connection, or holds it without a word (paused). */
async function brokenOwner(behaviour: 'reset' | 'silent'): Promise<{ address: string; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    if (behaviour === 'reset') socket.once('data', () => socket.resetAndDestroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { address: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, sockets };
}

describe.skipIf(TEST_STORE !== 'postgres')('cluster calls that cannot reach the owner (PostgreSQL)', () => {
  let t: TestApp;
  const owners: Awaited<ReturnType<typeof brokenOwner>>[] = [];
  beforeAll(async () => {
    t = await build({ workers: 0, cluster: CLUSTER });
  });
  afterAll(async () => {
    await t?.close();
    for (const o of owners) {
      for (const s of o.sockets) s.destroy();
      o.server.close();
    }
    removeTempDirs();
  });

  /** A VM another instance ("a", at `address`) created, its lease live for `ttlMs`. */
  const vmOf = async (address: string, ttlMs: number): Promise<string> => {
    const writer = await PostgresLogWriter.open(t.databaseUrl);
    const vmId = randomUUID();
    await writer.insertVm(
      { id: vmId, config: withVmDefaults({ name: 'elsewhere' }), createdAt: new Date(), owner: null },
      { owner: 'a', address, ttlMs },
    );
    await writer.close();
    return vmId;
  };

  it('forwards to a dead, a resetting and a silent owner: 502 not applied, 502 and 504 outcome unknown, each with Retry-After', async () => {
    const [resetting, silent] = [await brokenOwner('reset'), await brokenOwner('silent')];
    owners.push(resetting, silent);
    const dead = await brokenOwner('silent');
    const deadAddress = dead.address;
    await new Promise<void>((resolve) => dead.server.close(() => resolve()));
    for (const [address, status, type, detail] of [
      [deadAddress, 502, 'owner-unreachable', /was not applied/],
      [resetting.address, 502, 'owner-unreachable', /may or may not have been applied/],
      [silent.address, 504, 'owner-timeout', /may or may not have been applied/],
    ] as const) {
      const vmId = await vmOf(address, 60_000);
      const res = await t.api.post(`/v1/vms/${vmId}/vcpus`).send({ id: 0 });
      expect(res.status, address).toBe(status);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['x-prefault-forwarded-by']).toBe('b');
      expect(res.body).toMatchObject({ type: `urn:prefault-lab:problem:${type}`, status, detail: expect.stringMatching(detail) });
    }
  });

  it('answers a takeover behind a locked lease row 503 not-ready with Retry-After after lock_timeout, then takes the VM once the lock is gone', async () => {
    const vmId = await vmOf('http://127.0.0.1:2', TTL);
    await new Promise((resolve) => setTimeout(resolve, TTL + 200)); // expired: b may take it
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
