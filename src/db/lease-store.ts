// VM leases in PostgreSQL (cluster mode): which instance owns a VM, until when, under which
// epoch. Every time is the database's clock (NOW_UTC), so instances' clocks never matter.
// Taking a lease over bumps the epoch; the log writer refuses entries of older epochs.
// Takeovers and renewals use separate connections: takeovers may wait on another
// instance's locks (up to lock_timeout), and must never hold up this instance's renewals.
import type pg from 'pg';
import { NOW_UTC } from './postgres-log-writer.js';

export interface LeaseHolder {
  owner: string;
  address: string;
  epoch: number;
  /** The holder's lease has not expired (by the database's clock). */
  live: boolean;
}

export type Acquired = { state: 'owned'; epoch: number } | { state: 'held'; holder: LeaseHolder } | { state: 'no-vm' };

/** The lease connections: a small pool for takeovers and lookups, and one of its own for renewals. */
export interface LeasePools {
  takeovers: pg.Pool;
  renewals: pg.Pool;
}

/** A lease row stayed locked past lock_timeout (another instance's group holds it, or a takeover is queued on it). */
export class LeaseBusy extends Error {
  override name = 'LeaseBusy';
}

/** PostgreSQL's lock_not_available: lock_timeout passed. */
const LOCK_NOT_AVAILABLE = '55P03';

const busyIfLocked = (error: unknown): never => {
  if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) throw new LeaseBusy('the lease row is locked', { cause: error });
  throw error;
};

export interface LeaseIdentity {
  /** INSTANCE_ID: stable across restarts of one instance, unique among live instances. */
  instanceId: string;
  /** ADVERTISED_URL: where the other instances reach this one. */
  address: string;
  ttlMs: number;
}

const expiry = (ttlParam: string) => `${NOW_UTC} + ${ttlParam} * interval '1 millisecond'`;

export class LeaseStore {
  constructor(
    private readonly pools: LeasePools,
    readonly me: LeaseIdentity,
  ) {}

  /** Takes the VM's lease if nobody holds it live (or this instance held it): the new epoch; else who holds it. LeaseBusy past lock_timeout. */
  acquire(vmId: string): Promise<Acquired> {
    return this.tryAcquire(vmId).catch(busyIfLocked);
  }

  private async tryAcquire(vmId: string): Promise<Acquired> {
    const pool = this.pools.takeovers;
    const { instanceId, address, ttlMs } = this.me;
    // Retried when the row changes between the two statements (expired meanwhile, or just created).
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const taken = await pool.query<{ epoch: number }>(
        `UPDATE "VmLease" SET "owner" = $2, "address" = $3, "epoch" = "epoch" + 1, "expiresAt" = ${expiry('$4')}
         WHERE "vmId" = $1 AND ("expiresAt" <= ${NOW_UTC} OR "owner" = $2) RETURNING "epoch"`,
        [vmId, instanceId, address, ttlMs],
      );
      if (taken.rows[0]) return { state: 'owned', epoch: taken.rows[0].epoch };
      const holder = await this.holder(vmId);
      if (holder?.live) return { state: 'held', holder };
      if (holder) continue;
      // No lease row: a VM stored before cluster mode (or none at all). Create the row, expired, and take it.
      const inserted = await pool.query(
        `INSERT INTO "VmLease" ("vmId", "owner", "address", "epoch", "expiresAt") SELECT "id", '', '', 0, ${NOW_UTC} FROM "Vm" WHERE "id" = $1 ON CONFLICT DO NOTHING`,
        [vmId],
      );
      if (inserted.rowCount === 0 && !(await this.holder(vmId))) return { state: 'no-vm' };
    }
    const holder = await this.holder(vmId);
    return holder ? { state: 'held', holder } : { state: 'no-vm' };
  }

  async holder(vmId: string): Promise<LeaseHolder | undefined> {
    const rows = await this.pools.takeovers.query<LeaseHolder>(
      `SELECT "owner", "address", "epoch", "expiresAt" > ${NOW_UTC} AS "live" FROM "VmLease" WHERE "vmId" = $1`,
      [vmId],
    );
    return rows.rows[0];
  }

  /** Extends this instance's leases on `owned` (vmId -> epoch); returns the ones still held at that epoch. LeaseBusy past lock_timeout. */
  async renew(owned: ReadonlyMap<string, number>): Promise<Set<string>> {
    if (owned.size === 0) return new Set();
    // Rows locked in vmId order, as the log writer locks them: no deadlock between the two.
    const rows = await this.pools.renewals
      .query<{ vmId: string; epoch: number }>(
        `UPDATE "VmLease" SET "expiresAt" = ${expiry('$3')}
       WHERE "vmId" IN (SELECT "vmId" FROM "VmLease" WHERE "vmId" = ANY($1::text[]) AND "owner" = $2 ORDER BY "vmId" FOR UPDATE)
       RETURNING "vmId", "epoch"`,
        [[...owned.keys()], this.me.instanceId, this.me.ttlMs],
      )
      .catch(busyIfLocked);
    return new Set(rows.rows.filter((r) => owned.get(r.vmId) === r.epoch).map((r) => r.vmId));
  }

  /** Ends this instance's leases on these VMs now, so another instance can take them at once (clean shutdown). */
  async release(vmIds: readonly string[]): Promise<void> {
    if (vmIds.length === 0) return;
    await this.pools.renewals.query(`UPDATE "VmLease" SET "expiresAt" = ${NOW_UTC} WHERE "vmId" = ANY($1::text[]) AND "owner" = $2`, [
      vmIds,
      this.me.instanceId,
    ]);
  }
}
