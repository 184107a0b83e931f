// One page-table page (struct kvm_mmu_page of the TDP MMU): 512 SPTEs in a
// Float64Array (8 bytes each, like the kernel's u64), plus child pointers for tables
// above 4K. The kernel finds a child from the SPTE's pfn (spte_to_child_pt); the
// simulator keeps the pointer beside it and puts a deterministic "table pfn" in the SPTE.

import { PAGES_PER_LEVEL } from '../u64.js';

export const SPTE_ENT_PER_PAGE = 512;
export const TABLE_BYTES = 4096;

/** Tables are carved from shared slabs: one allocation per SLAB_TABLES tables, not per table. */
const SLAB_TABLES = 32;
let slab = new Float64Array(0);
let slabNext = 0;
function allocSpt(): Float64Array {
  if (slabNext === slab.length) {
    slab = new Float64Array(SPTE_ENT_PER_PAGE * SLAB_TABLES);
    slabNext = 0;
  }
  const spt = slab.subarray(slabNext, slabNext + SPTE_ENT_PER_PAGE);
  slabNext += SPTE_ENT_PER_PAGE;
  return spt;
}

export class PageTable {
  readonly spt = allocSpt();
  /** Child tables, only for levels above 4K (null for 4K leaf tables). */
  readonly children: (PageTable | undefined)[] | null;
  /** kvm_mmu_page.nx_huge_page_disallowed: made by a fault that could not be huge (NX). */
  nxHugePageDisallowed = false;

  constructor(
    /** The level of the entries in this table (1 = 4K entries). */
    readonly level: number,
    /** First gfn this table maps (sp->gfn). */
    readonly gfn: number,
    /** The pfn this table page would have; appears in the parent's SPTE. */
    readonly pfn: number,
  ) {
    this.children = level > 1 ? new Array<PageTable | undefined>(SPTE_ENT_PER_PAGE) : null;
  }

  /** SPTE_INDEX: which entry of this table covers gfn. */
  index(gfn: number): number {
    return Math.floor((gfn - this.gfn) / PAGES_PER_LEVEL[this.level]!);
  }

  /** First gfn covered by entry i. */
  entryGfn(i: number): number {
    return this.gfn + i * PAGES_PER_LEVEL[this.level]!;
  }
}
