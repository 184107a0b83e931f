// The state of one simulated s390 VM (struct kvm + kvm_arch, reduced) as plain data.

import { ArchMemslotSet } from '../generic-memslots.js';
import { tableEntries, type DatAllocator } from './dat.js';
import type { Gmap } from './gmap.js';
import type { S390VmConfig } from './types.js';

export interface S390State {
  readonly config: S390VmConfig;
  /** mem_limit in bytes. */
  readonly memLimit: bigint;
  readonly slots: ArchMemslotSet;
  /** The VM's one gmap; null on a UCONTROL VM (each vCPU has its own, not modelled). */
  readonly gmap: Gmap | null;
  readonly vcpus: Set<number>;
  readonly tables: CrstBudget;
}

/** First table frame: tables get sequential origins from here. */
const TABLE_BASE_FRAME = 0x100000;

/** DAT table memory: a region/segment table is 16K (2048 entries), a page table 2K (256 entries). */
export class CrstBudget implements DatAllocator {
  bytes = 0;
  private next = TABLE_BASE_FRAME;
  constructor(private readonly maxBytes: number) {}

  alloc(level: number): number {
    const b = tableEntries(level) * 8;
    if (this.bytes + b > this.maxBytes) return -1;
    this.bytes += b;
    const f = this.next;
    this.next += Math.max(1, b / 4096);
    return f;
  }
}
