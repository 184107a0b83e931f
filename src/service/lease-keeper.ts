// Cluster mode: decides where a call for a VM runs, and keeps this instance's leases.
//  - A VM loaded here whose lease is known current: here.
//  - Otherwise take the lease if nobody holds it live (or it was ours), rebuild the VM from
//    its log (LiveVms.adopt), and serve it here; if another instance holds it live, the call
//    is forwarded to that instance's address.
//  - Every LEASE_RENEW_MS the leases of the VMs loaded here are renewed; a VM whose lease is
//    gone (another instance took it while this one was paused or cut off) is dropped.
// Reads trust the local deadline (renewal start + 90% of the TTL: the database's expiry is
// never earlier); writes need not, since the log writer checks the epoch in the commit's own
// transaction. That is what fences a paused instance's late writes.
// A lease row locked past lock_timeout (a group of a paused instance, or a takeover queued on
// it) answers 503 + Retry-After: the call was not applied, and the lock passes on its own.
import type { FastifyBaseLogger } from 'fastify';
import { LeaseBusy, type LeaseStore } from '../db/lease-store.js';
import { ServiceError } from './errors.js';
import type { LiveVms } from './live-vms.js';

export type Route = { here: true } | { here: false; owner: string; address: string };

export interface LeaseTiming {
  ttlMs: number;
  renewMs: number;
}

const HERE: Route = { here: true };
/** Seconds a client waits after a busy lease row: the lock holder commits, or its session ends, within the lease time. */
const BUSY_RETRY_SECONDS = 1;

const leaseBusy = (vmId: string) =>
  new ServiceError(
    503,
    'not-ready',
    `VM ${vmId} is changing instances: its lease is locked by another instance's transaction; the call was not applied, retry it`,
    undefined,
    BUSY_RETRY_SECONDS,
  );
/** Share of the TTL this instance trusts its own renewal for (clock-rate margin). */
const TRUSTED_SHARE = 0.9;

export class LeaseKeeper {
  private readonly validUntil = new Map<string, number>();
  private readonly pending = new Map<string, Promise<Route>>();
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly store: LiveVms,
    private readonly leases: LeaseStore,
    private readonly timing: LeaseTiming,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Where a call on the VM must run. `write`: a state-changing call (fenced at commit, so a loaded VM is enough). */
  route(vmId: string, write: boolean): Promise<Route> | Route {
    if (this.store.has(vmId) && (write || (this.validUntil.get(vmId) ?? 0) > performance.now())) return HERE;
    let route = this.pending.get(vmId);
    if (!route) {
      route = this.locate(vmId)
        .catch((error: unknown) => {
          if (error instanceof LeaseBusy) throw leaseBusy(vmId);
          throw error;
        })
        .finally(() => this.pending.delete(vmId));
      this.pending.set(vmId, route);
    }
    return route;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.renewing ??= this.renewAll().finally(() => (this.renewing = undefined));
    }, this.timing.renewMs);
    this.timer.unref();
  }

  /** Stops renewing and gives up every lease at once, so other instances take the VMs without waiting for expiry. Call after the store drained. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    const ids = [...this.store.epochs().keys()];
    await this.leases.release(ids);
  }

  private async locate(vmId: string): Promise<Route> {
    if (this.store.has(vmId)) {
      await this.renew(new Map([[vmId, this.store.epochs().get(vmId) ?? 0]]));
      if (this.store.has(vmId)) return HERE;
    }
    const started = performance.now();
    const acquired = await this.leases.acquire(vmId);
    if (acquired.state === 'held') return { here: false, owner: acquired.holder.owner, address: acquired.holder.address };
    if (acquired.state === 'owned') {
      const t0 = performance.now();
      await this.store.adopt(vmId, acquired.epoch);
      this.validUntil.set(vmId, started + this.timing.ttlMs * TRUSTED_SHARE);
      this.log.info({ vmId, epoch: acquired.epoch, replayMs: Math.round(performance.now() - t0) }, 'lease taken: VM rebuilt from its log');
    }
    return HERE; // owned now, or no such VM (the route answers 404)
  }

  private renewAll(): Promise<void> {
    return this.renew(this.store.epochs()).catch((error: Error) => this.log.warn({ err: error }, 'lease renewal failed'));
  }

  private async renew(epochs: Map<string, number>): Promise<void> {
    const started = performance.now();
    const kept = await this.leases.renew(epochs);
    const lost = [...epochs.keys()].filter((id) => !kept.has(id));
    for (const id of kept) this.validUntil.set(id, started + this.timing.ttlMs * TRUSTED_SHARE);
    for (const id of lost) this.validUntil.delete(id);
    this.store.evict(lost);
  }
}
