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

/**
 * DAT table memory: a region or segment table is 16K (2048 CRSTEs, CRST_ALLOC_ORDER 2); a page
 * table is one 4K page, its 256 PTEs followed by their 256 PGSTEs (struct page_table, dat.h).
 */
const tableBytes = (level: number): number => tableEntries(level) * 8 * (level === 1 ? 2 : 1);

/** The table allocations of one gmap against the VM's table budget (the mmu cache top-up's ENOMEM). */
export class CrstBudget implements DatAllocator {
  bytes = 0;
  private next = TABLE_BASE_FRAME;
  constructor(private readonly maxBytes: number) {}

  alloc(level: number): number {
    const b = tableBytes(level);
    if (this.bytes + b > this.maxBytes) return -1;
    this.bytes += b;
    const f = this.next;
    this.next += b / 4096;
    return f;
  }
}
