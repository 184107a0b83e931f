// The page run: after a pre-fault's 4K fault installed a leaf, the faults the next
// iterations of kvm_vcpu_pre_fault_memory would take, done as one run while each would be
// exactly that fault again. The kernel has no run: this is the simulator's batching of what
// kvm_tdp_mmu_map and tdp_mmu_map_handle_target_level do leaf by leaf (make_spte over an
// empty entry, tdp_mmu_set_spte_atomic, handle_changed_spte's stats), with the same SPTEs.
//
// Why the next fault in the same 4K table is the same fault: every input of the fault path
// is either the slot's (flags, backing, hva), the VM's, or decided per 2M page or wider
// (kvm_mmu_max_mapping_level, lpage_info, the mixed-attribute flag), and a 4K table covers
// exactly one 2M page. Only the gfn's own attribute (kvm_mem_is_private), hwpoison and the
// host page's CoW state are per 4K page; the run checks or refuses those. Only the pre-fault
// loop runs it: a guest access (whose change log lists every leaf the funnel writes) never does.

import { slotEndGfn } from '../memslots.js';
import type { VmState } from '../state.js';
import { RET_PF_FIXED, type KvmPageFault } from './internal.js';
import { makeLeafFlags } from './make-spte.js';
import type { TdpRoot } from './roots.js';
import { tdpMmuSetLeafRun } from './set-spte.js';
import { SHADOW_NONPRESENT } from './spte.js';
import { SPTE_ENT_PER_PAGE } from './table.js';

/**
 * The run the fault path installed: `count` 4K leaves after the fault's own, at its gfn + 1
 * on and its pfn + 1 on, with `flags` (make_spte over an empty entry, which may differ from
 * the fault's own leaf, made over whatever entry it found).
 */
export interface PageRun {
  count: number;
  flags: number;
}

/**
 * Install the 4K leaves of gfns f.gfn + 1 ... (at most `pages`) that the same fault would,
 * after fault `f` returned `code`. Each must be one the next iteration would also map with
 * a 4K leaf over an empty entry of the same table, from the same slot, with the same bits
 * and the next pfn. Anything else ends the run, and the next ordinary step takes over.
 * The caller keeps runs away from calls whose iteration count or events show (a signal
 * injected, a trace sink). Returns the leaves installed in `run` (count 0: none).
 */
export function tdpMmuMapPageRun(state: VmState, root: TdpRoot, f: KvmPageFault, code: number, pages: number, run: PageRun): void {
  run.count = 0;
  const slot = f.slot;
  // Only a fault that kvm_tdp_mmu_map resolved with a new leaf (the caller continues 4K
  // faults only): fast_page_fault sets no slot, a no-slot (MMIO) fault is RET_PF_EMULATE,
  // and a refused one never gets here.
  if (code !== RET_PF_FIXED || slot === undefined) return;
  // The legacy MMU's direct_pte_prefetch fills neighbours after each fault: not one leaf each.
  if (state.legacyPrefetch) return;
  if (!f.isPrivate) {
    // hva_to_pfn per 4K page: untouched anonymous memory maps the zero page (not the next
    // pfn) and CoW is broken per host page; a poisoned page is KVM_PFN_ERR_HWPOISON.
    if (!slot.backingWritable || slot.hwpoison?.size) return;
  }
  // kvm_tdp_mmu_map just installed f's leaf in the table its target cache now holds.
  const table = state.roots.targetCache[1]!.table!;
  const first = f.addrGfn - table.gfn + 1;
  // The same table (one 2M page: one answer of kvm_mmu_max_mapping_level) and the same slot.
  let last = Math.min(SPTE_ENT_PER_PAGE, first + pages, first + slotEndGfn(slot) - f.gfn - 1);
  // kvm_mem_is_private: every gfn must take the path f took (and kvm_mmu_faultin_pfn's check
  // pass), so the run ends where the attribute changes.
  if (state.hasPrivateMem) last = Math.min(last, first + state.attrs.sameUntil(f.gfn, f.gfn + last - first + 1) - f.gfn - 1);
  // make_spte: the same bits for every gfn of the run (old_spte is empty for each).
  const flags = makeLeafFlags(state, root, 1, SHADOW_NONPRESENT, f.prefetch, f.mapWritable, f.isPrivate);
  // Only empty entries: a present leaf is the spurious rule's (or make_spte's rebuild), an
  // MMIO SPTE is replaced and uncounted differently (handle_changed_spte). An empty range
  // (the fault's leaf was the table's, the slot's or the range's last) writes nothing.
  run.count = tdpMmuSetLeafRun(root, table, first, last, f.pfn + 1, flags);
  run.flags = flags;
}
