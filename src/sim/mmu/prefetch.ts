// The legacy (non-TDP-MMU) fault path's neighbour prefetch (mmu.c: direct_pte_prefetch,
// __direct_pte_prefetch, direct_pte_prefetch_many; kvm_main.c: kvm_prefetch_pages, called
// gfn_to_page_many_atomic before 6.13). After direct_map installs a 4K leaf, the
// not-present entries of its aligned group of PTE_PREFETCH_NUM get prefetch leaves.

import { isHwpoisoned, type Memslot } from '../memslots.js';
import type { VmState } from '../state.js';
import { hostPageIndex, type KvmPageFault } from './internal.js';
import { makeLeafFlags } from './make-spte.js';
import type { TdpRoot } from './roots.js';
import { tdpMmuSetSpte } from './set-spte.js';
import { isShadowPresent, makeSpte } from './spte.js';
import type { PageTable } from './table.js';

/** PTE_PREFETCH_NUM (mmu.c). */
export const PTE_PREFETCH_NUM = 8;

/** direct_pte_prefetch: `index` is the 4K leaf direct_map just set in `table`. */
export function directPtePrefetch(state: VmState, root: TdpRoot, f: KvmPageFault, table: PageTable, index: number): void {
  // "Without accessed bits, there's no way to distinguish between actually accessed
  // translations and prefetched": no prefetch on a root with A/D disabled.
  if (root.role.adDisabled) return;
  const first = index & ~(PTE_PREFETCH_NUM - 1);
  let start = -1;
  for (let i = first; i < first + PTE_PREFETCH_NUM; i++) {
    if (isShadowPresent(table.spt[i]!) || i === index) {
      if (start < 0) continue;
      if (!prefetchMany(state, root, f, table, start, i)) return;
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) prefetchMany(state, root, f, table, start, first + PTE_PREFETCH_NUM);
}

/** direct_pte_prefetch_many for entries [start, end): false when it gives up (-1). */
function prefetchMany(state: VmState, root: TdpRoot, f: KvmPageFault, table: PageTable, start: number, end: number): boolean {
  const gfn = table.entryGfn(start) - (f.addrGfn - f.gfn); // the slot is looked up without direct bits
  // gfn_to_memslot_dirty_bitmap(..., ACC_WRITE_MASK): no slot, or a dirty-logging one, ends it.
  const slot = state.slots.lookup(f.asId, gfn);
  if (!slot || slot.logDirtyPages) return false;
  const n = kvmPrefetchPages(slot, gfn, end - start);
  if (n <= 0) return false;
  for (let i = 0; i < n; i++) {
    const old = table.spt[start + i]!;
    // mmu_set_spte(..., fault = NULL) -> make_spte with prefetch and host_writable; shared memory only.
    const spte = makeSpte(slot.hvaPfn + (gfn + i - slot.baseGfn), makeLeafFlags(state, root, 1, old, true, true, false));
    tdpMmuSetSpte(state, root, table, start + i, spte);
    f.prefetched.push(table.entryGfn(start + i), spte);
  }
  return true;
}

/**
 * kvm_prefetch_pages: the hva range must lie in the slot and be writable
 * (__gfn_to_hva_many with write: a read-only slot fails), then get_user_pages_fast_only
 * with FOLL_WRITE pins pages up to the first one the host cannot give writable without a
 * fault (untouched CoW/zero-page memory, or nothing mapped). Returns the pages pinned, or -1.
 */
function kvmPrefetchPages(slot: Memslot, gfn: number, nr: number): number {
  if (slot.readonly) return -1;
  if (slot.baseGfn + slot.npages - gfn < nr) return -1;
  if (!slot.backingMapped) return 0;
  if (slot.backingWritable && slot.hwpoison === undefined) return nr;
  let n = 0;
  // A poisoned host PTE is not present: get_user_pages_fast_only stops before it.
  while (n < nr && !isHwpoisoned(slot, gfn + n) && (slot.backingWritable || slot.hostWritten.has(hostPageIndex(slot, gfn + n)))) n++;
  return n;
}
