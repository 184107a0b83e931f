// Leases and epoch fencing on a real PostgreSQL (TEST_DATABASE=postgres): the writes an
// instance attempts after another instance took its VM's lease never reach the log.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseBusy, LeaseStore } from '../../src/db/lease-store.js';
import { NotWritten, type LogEntryWrite } from '../../src/db/log-writer.js';
import { openStore } from '../../src/db/open-store.js';
import { PostgresLogWriter } from '../../src/db/postgres-log-writer.js';
import { withVmDefaults } from '../../src/sim/index.js';
import { tempDbFile } from '../helpers/build.js';
import { freshDatabaseUrl, queryRows, TEST_STORE } from '../helpers/store.js';

// Long enough that a loaded 2-core machine never lets a lease lapse between two statements.
const TTL = 1500;
const entry = (vmId: string, seq: number, epoch: number): LogEntryWrite => ({
  vmId,
  seq,
  op: { op: 'pre_fault', vcpuId: 0, gpa: `0x${(seq * 0x1000).toString(16)}`, size: '0x1000', flags: '0x0' },
  resultJson: '{"ret":0}',
  projection: {},
  epoch,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(TEST_STORE !== 'postgres')('VM leases and epoch fencing (PostgreSQL)', () => {
  let url: string;
  let pool: pg.Pool;
  let writerA: PostgresLogWriter;
  let writerB: PostgresLogWriter;
  let a: LeaseStore;
  let b: LeaseStore;

  beforeAll(async () => {
    url = await freshDatabaseUrl(tempDbFile);
    pool = new pg.Pool({ connectionString: url, max: 2 });
    [writerA, writerB] = await Promise.all([PostgresLogWriter.open(url), PostgresLogWriter.open(url)]);
    const pools = { takeovers: pool, renewals: pool };
    a = new LeaseStore(pools, { instanceId: 'a', address: 'http://a:1', ttlMs: TTL });
    b = new LeaseStore(pools, { instanceId: 'b', address: 'http://b:1', ttlMs: TTL });
  });
  afterAll(async () => {
    await Promise.all([writerA?.close(), writerB?.close(), pool?.end()]);
  });

  const newVm = async (lease = true): Promise<string> => {
    const id = randomUUID();
    await writerA.insertVm(
      { id, config: withVmDefaults({ name: 'leased' }), createdAt: new Date(), owner: null },
      lease ? { owner: 'a', address: 'http://a:1', ttlMs: TTL } : undefined,
    );
    return id;
  };
  const logOf = (vmId: string) =>
    queryRows<{ seq: number; epoch: number }>(url, 'SELECT "seq", "epoch" FROM "Operation" WHERE "vmId" = ? ORDER BY "seq"', vmId);

  it("lets another instance take an expired lease, and then refuses the old owner's entries", async () => {
    const vmId = await newVm();
    expect((await writerA.commit([entry(vmId, 1, 1)], new Date())).fenced.size).toBe(0);
    // Live lease: B is told who holds it, and where.
    expect(await b.acquire(vmId)).toEqual({ state: 'held', holder: { owner: 'a', address: 'http://a:1', epoch: 1, live: true } });
    await sleep(TTL + 200); // A "pauses" past its lease
    expect(await b.acquire(vmId)).toEqual({ state: 'owned', epoch: 2 });
    // A wakes up: its renewal fails and its late entry is fenced, not written.
    expect(await a.renew(new Map([[vmId, 1]]))).toEqual(new Set());
    const late = await writerA.commit([entry(vmId, 2, 1)], new Date());
    expect([...late.fenced]).toEqual([vmId]);
    expect((await writerB.commit([entry(vmId, 2, 2)], new Date())).fenced.size).toBe(0);
    expect(await logOf(vmId)).toEqual([
      { seq: 1, epoch: 1 },
      { seq: 2, epoch: 2 },
    ]);
  });

  it('fences only the VMs that moved: the rest of the group commits', async () => {
    const [moved, kept] = [await newVm(), await newVm()];
    await sleep(TTL + 200);
    expect(await b.acquire(moved)).toEqual({ state: 'owned', epoch: 2 });
    expect(await a.renew(new Map([[kept, 1]]))).toEqual(new Set([kept]));
    const outcome = await writerA.commit([entry(moved, 1, 1), entry(kept, 1, 1), entry(kept, 2, 1)], new Date());
    expect([...outcome.fenced]).toEqual([moved]);
    expect(await logOf(moved)).toEqual([]);
    expect(await logOf(kept)).toEqual([
      { seq: 1, epoch: 1 },
      { seq: 2, epoch: 1 },
    ]);
  });

  it('keeps a renewed lease, hands a released one over at once, and leases a VM stored without one', async () => {
    const vmId = await newVm();
    await sleep(TTL / 2);
    expect(await a.renew(new Map([[vmId, 1]]))).toEqual(new Set([vmId]));
    await sleep(TTL / 2 + 50); // past the first expiry, within the renewed one
    expect((await b.acquire(vmId)).state).toBe('held');
    await a.release([vmId]);
    expect(await b.acquire(vmId)).toEqual({ state: 'owned', epoch: 2 });
    const legacy = await newVm(false);
    expect(await b.acquire(legacy)).toEqual({ state: 'owned', epoch: 1 });
    expect(await b.acquire(randomUUID())).toEqual({ state: 'no-vm' });
  });

  it('makes a taker wait for a group in flight, then see its entries', async () => {
    const vmId = await newVm();
    await sleep(TTL + 200);
    // A's group holds the lease row FOR SHARE while it commits; B's takeover waits for it.
    const hold = await pool.connect();
    try {
      await hold.query('BEGIN');
      await hold.query('SELECT 1 FROM "VmLease" WHERE "vmId" = $1 FOR SHARE', [vmId]);
      let taken = false;
      const takeover = b.acquire(vmId).then((r) => ((taken = true), r));
      await sleep(200);
      expect(taken).toBe(false);
      await hold.query('COMMIT');
      expect(await takeover).toEqual({ state: 'owned', epoch: 2 });
    } finally {
      hold.release();
    }
  });

  it('gives up a takeover behind a held lock after lock_timeout (LeaseBusy), and keeps renewals off the takeover pool', async () => {
    const store = await openStore(url, {
      sqliteSynchronous: 'NORMAL',
      onCheckpointError: () => undefined,
      postgres: { limits: { idleInTransactionTimeoutMs: 60_000, lockTimeoutMs: 300 } },
    });
    const hold = await pool.connect();
    try {
      const [stuck, mine] = [await newVm(), await newVm()];
      await sleep(TTL + 200);
      const c = new LeaseStore(store.leasePools!, { instanceId: 'c', address: 'http://c:1', ttlMs: TTL });
      expect(await c.acquire(mine)).toEqual({ state: 'owned', epoch: 2 });
      // A paused owner's group: the lease row locked FOR SHARE by a transaction that does not end.
      await hold.query('BEGIN');
      await hold.query('SELECT 1 FROM "VmLease" WHERE "vmId" = $1 FOR SHARE', [stuck]);
      // More takeovers than the takeover pool has connections: each gives up, none holds a renewal up.
      const takeovers = Array.from({ length: 6 }, () => c.acquire(stuck).catch((error: unknown) => error));
      expect(await c.renew(new Map([[mine, 2]]))).toEqual(new Set([mine]));
      for (const outcome of await Promise.all(takeovers)) expect(outcome).toBeInstanceOf(LeaseBusy);
      await hold.query('COMMIT');
      expect(await c.acquire(stuck)).toEqual({ state: 'owned', epoch: 2 });
    } finally {
      await hold.query('ROLLBACK').catch(() => undefined);
      hold.release();
      await store.close();
    }
  });

  it('ends a writer session paused inside its group transaction, releasing its lease locks, and opens a new one for the next group', async () => {
    const name = `writer-${randomUUID()}`;
    const writer = await PostgresLogWriter.open(url, { limits: { idleInTransactionTimeoutMs: 300, lockTimeoutMs: 300 }, applicationName: name });
    try {
      const vmId = await newVm();
      expect((await writer.commit([entry(vmId, 1, 1)], new Date())).fenced.size).toBe(0);
      // The whole process stops for 1 s after the group has locked its lease rows (serializing
      // the entry blocks the thread): a paused owner, as SIGSTOP would pause it.
      const paused = entry(vmId, 2, 1);
      const op = paused.op;
      paused.op = Object.assign(Object.create(null) as object, op, {
        toJSON: () => (Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000), op),
      }) as typeof op;
      await expect(writer.commit([paused], new Date())).rejects.toBeInstanceOf(NotWritten); // before its COMMIT: nothing written
      // Its session is gone with its locks: a takeover does not wait (lock_timeout would end it).
      await sleep(TTL + 200);
      const taker = new LeaseStore({ takeovers: pool, renewals: pool }, { instanceId: 'b', address: 'http://b:1', ttlMs: TTL });
      expect(await taker.acquire(vmId)).toEqual({ state: 'owned', epoch: 2 });
      // The writer opened a new session: its next group commits (fenced here: the lease moved).
      expect([...(await writer.commit([entry(vmId, 2, 1)], new Date())).fenced]).toEqual([vmId]);
      expect((await writer.commit([entry(vmId, 2, 2)], new Date())).fenced.size).toBe(0);
      expect(await logOf(vmId)).toEqual([
        { seq: 1, epoch: 1 },
        { seq: 2, epoch: 2 },
      ]);
    } finally {
      await writer.close();
    }
  });
});
