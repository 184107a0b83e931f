// The page run: after a pre-fault's 4K fault installed a leaf, the faults the next
// iterations of kvm_vcpu_pre_fault_memory would take, done as one run while each would be
// exactly that fault again. The kernel has no run: this is the simulator's batching of what
// kvm_tdp_mmu_map and tdp_mmu_map_handle_target_level do leaf by leaf (make_spte over an
// empty entry, tdp_mmu_set_spte_atomic, handle_changed_spte's stats), with the same SPTEs.

import { slotEndGfn } from '../memslots.js';
import type { VmState } from '../state.js';
import { RET_PF_FIXED, type KvmPageFault } from './internal.js';
import { makeLeafFlags } from './make-spte.js';
import type { TdpRoot } from './roots.js';
import { tdpMmuSetLeafRun } from './set-spte.js';
import { SHADOW_NONPRESENT } from './spte.js';
import { SPTE_ENT_PER_PAGE } from './table.js';

/** The run the fault path installed: `count` 4K leaves from `addrGfn`, mapping `pfn` on with `flags`. */
export interface PageRun {
  count: number;
  addrGfn: number;
  pfn: number;
  flags: number;
}

/**
 * Install the 4K leaves of gfns f.gfn + 1 ... (at most `pages`) that the same fault would,
 * after fault `f` returned `code`. Each must be one the next iteration would also map with
 * a 4K leaf over an empty entry of the same table, from the same slot, with the same bits
 * and the next pfn. Anything else ends the run, and the next ordinary step takes over.
 * Returns the leaves installed in `run` (count 0: none).
 */
export function tdpMmuMapPageRun(state: VmState, root: TdpRoot, f: KvmPageFault, code: number, pages: number, run: PageRun): void {
  run.count = 0;
  const slot = f.slot;
  // Only a fault that kvm_tdp_mmu_map resolved with a new 4K leaf: fast_page_fault sets no slot.
  if (code !== RET_PF_FIXED || f.goalLevel !== 1 || slot === undefined) return;
  // The legacy MMU's direct_pte_prefetch fills neighbours after each fault: not one leaf each.
  if (state.legacyPrefetch) return;
  if (!f.isPrivate) {
    // faultinShared: untouched anonymous memory maps the zero page, a poisoned page is EINTR.
    if (!slot.backingWritable || slot.hwpoison?.size) return;
  }
  // kvm_tdp_mmu_map just installed f's leaf in the table its target cache now holds.
  const table = state.roots.targetCache[1]!.table!;
  const first = f.addrGfn - table.gfn + 1;
  // The same table (one 2M page: one answer of kvm_mmu_max_mapping_level) and the same slot.
  const last = Math.min(SPTE_ENT_PER_PAGE, first + pages, first + slotEndGfn(slot) - f.gfn - 1);
  // kvm_mem_is_private: every gfn must take the path f took (and faultinPfn's check pass).
  if (state.hasPrivateMem && state.attrs.mixed(f.gfn, f.gfn + last - first + 1)) return;
  const spt = table.spt;
  let i = first;
  while (i < last && spt[i] === SHADOW_NONPRESENT) i++;
  const count = i - first;
  if (count === 0) return;
  const flags = makeLeafFlags(state, root, f, 1, SHADOW_NONPRESENT);
  tdpMmuSetLeafRun(root, table, first, count, f.pfn + 1, flags);
  run.count = count;
  run.addrGfn = f.addrGfn + 1;
  run.pfn = f.pfn + 1;
  run.flags = flags;
}
