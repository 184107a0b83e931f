// The live VMs the service holds: who owns each, the VM quota, and each VM's lane (its
// write path, vm-lane.ts). The engine state itself lives behind the EngineHost.
import { limitExceeded, movedError, vmNotFound } from './errors.js';
import { mayAccess, type Owner } from './owner.js';
import type { VmLane, VmRecord } from './vm-lane.js';

/** What a VM is (what changes lives in its VmLane). */
export function newRecord(fields: Pick<VmRecord, 'id' | 'createdAt' | 'owner' | 'config'> & { epoch?: number | undefined }): VmRecord {
  const { epoch, ...rest } = fields;
  return { ...rest, ...(epoch !== undefined && { epoch }) };
}

export class VmRegistry {
  private readonly records = new Map<string, VmLane>();
  /** Cluster mode: VMs whose lease another instance took from this one. */
  private readonly movedAway = new Set<string>();

  constructor(
    private readonly maxVms: number,
    /** The lane of a VM whose log is committed up to lastSeq. */
    private readonly open: (record: VmRecord, lastSeq: number) => VmLane,
  ) {}

  get count(): number {
    return this.records.size;
  }

  /** Whether `owner` may see the VM (ANY_OWNER: the server runs open and sees all; undefined: none). */
  visible(id: string, owner: Owner | undefined): boolean {
    const lane = this.records.get(id);
    return lane !== undefined && mayAccess(owner, lane.record.owner);
  }

  /** 429 when the server already holds its quota of VMs. */
  checkRoom(): void {
    if (this.records.size >= this.maxVms) throw limitExceeded(`this server holds at most ${this.maxVms} VMs; delete one first`);
  }

  /** Holds a VM loaded or created here, its log committed up to lastSeq. */
  add(record: VmRecord, lastSeq: number): VmLane {
    const lane = this.open(record, lastSeq);
    this.records.set(record.id, lane);
    this.movedAway.delete(record.id);
    return lane;
  }

  /** Cluster mode: forgets a VM another instance owns now; its calls answer 503 (retry) rather than 404. Whether it was here. */
  moved(id: string): boolean {
    const lane = this.records.get(id);
    if (!lane) return false;
    this.records.delete(id);
    this.movedAway.add(id);
    lane.moved();
    return true;
  }

  delete(id: string): void {
    this.records.delete(id);
  }

  /** The VM's lane if it is present (for the failure path). */
  find(id: string): VmLane | undefined {
    return this.records.get(id);
  }

  all(): VmLane[] {
    return [...this.records.values()];
  }

  /** The VM's lane: 404 if there is none, 503 if it moved to another instance (a broken one refuses in its turn). */
  get(id: string): VmLane {
    const lane = this.records.get(id);
    if (!lane && this.movedAway.has(id)) throw movedError(id);
    if (!lane) throw vmNotFound(id);
    return lane;
  }
}
