// The live VMs the service holds: who owns each, the VM quota, and the bookkeeping the
// write path keeps per VM. The engine state itself lives behind the EngineHost.
import type { AnyVmConfig } from '../sim/index.js';
import { limitExceeded, notReadyYet, ServiceError, vmNotFound } from './errors.js';
import { mayAccess, type Owner } from './owner.js';

export interface VmRecord {
  id: string;
  createdAt: Date;
  /** sha256 of the creating token; null when the server ran open. */
  owner: string | null;
  config: AnyVmConfig;
  /** seq of the last applied operation (its entry may still be waiting for its group). */
  lastSeq: number;
  /** Settles once every operation sent to the engine so far has committed or failed. */
  commits: Promise<unknown>;
  /** Settles once the answer of every operation sent so far has been handled, in order. */
  answered: Promise<unknown>;
  /** Operations sent to the engine whose answer has not been handled yet. */
  inFlight: number;
  /** Bumped whenever the engine state may be ahead of the log: answers of operations sent before are not logged. */
  generation: number;
  /** A group holding one of its entries failed: the engine is ahead of the log until rebuilt. */
  stale: boolean;
  /** Set when the VM could not be rebuilt: it refuses every call. */
  broken?: string;
  /** Cluster mode: the lease epoch this instance holds the VM under (written with each log entry). */
  epoch?: number;
}

/** A VM's record as loaded or created: its log up to lastSeq is committed, nothing in flight. */
export function newRecord(fields: Pick<VmRecord, 'id' | 'createdAt' | 'owner' | 'config' | 'lastSeq'> & { epoch?: number | undefined }): VmRecord {
  const { epoch, ...rest } = fields;
  return {
    ...rest,
    ...(epoch !== undefined && { epoch }),
    commits: Promise.resolve(),
    answered: Promise.resolve(),
    inFlight: 0,
    generation: 0,
    stale: false,
  };
}

export class VmRegistry {
  private readonly records = new Map<string, VmRecord>();
  /** Cluster mode: VMs whose lease another instance took from this one. */
  private readonly movedAway = new Set<string>();

  constructor(private readonly maxVms: number) {}

  get count(): number {
    return this.records.size;
  }

  /** Whether `owner` may see the VM (ANY_OWNER: the server runs open and sees all; undefined: none). */
  visible(id: string, owner: Owner | undefined): boolean {
    const record = this.records.get(id);
    return record !== undefined && mayAccess(owner, record.owner);
  }

  /** 429 when the server already holds its quota of VMs. */
  checkRoom(): void {
    if (this.records.size >= this.maxVms) throw limitExceeded(`this server holds at most ${this.maxVms} VMs; delete one first`);
  }

  add(record: VmRecord): void {
    this.records.set(record.id, record);
    this.movedAway.delete(record.id);
  }

  /** Cluster mode: forgets a VM another instance owns now; its calls answer 503 (retry) rather than 404. Whether it was here. */
  moved(id: string): boolean {
    if (!this.records.delete(id)) return false;
    this.movedAway.add(id);
    return true;
  }

  delete(id: string): void {
    this.records.delete(id);
  }

  /** The VM's record if it is present, broken or not (for the failure path). */
  find(id: string): VmRecord | undefined {
    return this.records.get(id);
  }

  all(): VmRecord[] {
    return [...this.records.values()];
  }

  /** The VM's record: 404 if there is none, 503 if it could not be rebuilt. */
  get(id: string): VmRecord {
    const record = this.records.get(id);
    if (!record && this.movedAway.has(id)) throw movedError(id);
    if (!record) throw vmNotFound(id);
    if (record.broken) throw new ServiceError(503, 'storage-failure', `VM ${id} is unavailable until the service restarts: ${record.broken}`);
    return record;
  }
}

/** A call on a VM this instance no longer owns (cluster mode): retry, and reach the owner. */
export const movedError = (id: string): ServiceError => notReadyYet(`VM ${id} has moved to another instance; retry the call`);
