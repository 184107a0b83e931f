// Dirty-logging transitions of a slot (x86.c:kvm_mmu_slot_apply_flags).

import type { Memslot } from '../memslots.js';
import type { VmState } from '../state.js';
import { PAGES_PER_LEVEL } from '../u64.js';
import { maxMappingLevel } from './fault.js';
import { forEachTdpPte } from './iter.js';
import type { TdpRoot } from './roots.js';
import { tdpMmuSetSpte } from './set-spte.js';
import {
  SHADOW_NONPRESENT,
  SPTE_DIRTY,
  SPTE_EXECUTABLE,
  SPTE_HUGE,
  SPTE_WRITABLE,
  isLastSpte,
  isShadowPresent,
  makeSpte,
  spteFlags,
  sptePfn,
} from './spte.js';
import type { PageTable } from './table.js';
import { kvmGfnRootBits } from './zap.js';

/**
 * Logging starts: with PML (Intel EPT with A/D) 4K leaves lose D and huge leaves lose W
 * (kvm_mmu_slot_leaf_clear_dirty + write-protect at 2M+); without PML every leaf loses W
 * (kvm_mmu_slot_remove_write_access down to 4K).
 */
export function writeProtectSlot(state: VmState, root: TdpRoot, start: number, end: number): void {
  const pml = state.config.host.vendor === 'intel' && state.config.host.adBits;
  const bits = kvmGfnRootBits(state, root);
  forEachTdpPte(root.table, 1, start + bits, end + bits, (iter) => {
    const spte = iter.oldSpte;
    if (!isShadowPresent(spte) || !isLastSpte(spte, iter.level)) return;
    const clear = pml && iter.level === 1 ? SPTE_DIRTY : SPTE_WRITABLE;
    // wrprot_gfn_range clears only W (MMU-writable stays, so a write fault can restore it).
    if (spteFlags(spte) & clear) tdpMmuSetSpte(state, root, iter.table, iter.index, spte - clear);
  });
}

/**
 * Logging stops: kvm_mmu_recover_huge_pages (6.13+) rebuilds a huge SPTE in place of each
 * table the slot's rules allow to be huge, from its first present leaf (make_huge_spte);
 * older kernels zap those tables (kvm_mmu_zap_collapsible_sptes) for the next fault to refill.
 */
export function recoverHugePages(state: VmState, root: TdpRoot, slot: Memslot): void {
  const bits = kvmGfnRootBits(state, root);
  const start = slot.baseGfn + bits;
  const end = slot.baseGfn + slot.npages + bits;
  forEachTdpPte(root.table, 2, start, end, (iter) => {
    const old = iter.oldSpte;
    if (iter.level > 3 || !isShadowPresent(old) || isLastSpte(old, iter.level)) return;
    if (iter.gfn < start || iter.gfn + PAGES_PER_LEVEL[iter.level]! > end) return;
    if (maxMappingLevel(state, slot, iter.gfn - bits, 3, false) < iter.level) return;
    const child = iter.table.children![iter.index]!;
    const first = firstLeaf(child);
    if (first === undefined) return;
    let spte = SHADOW_NONPRESENT;
    if (state.switches.recoverHugePagesInPlace) {
      // make_huge_spte
      let flags = (spteFlags(first) | SPTE_HUGE) >>> 0;
      if (state.config.host.nxHugePages) flags &= ~SPTE_EXECUTABLE;
      const pages = PAGES_PER_LEVEL[iter.level]!;
      spte = makeSpte(sptePfn(first) - (sptePfn(first) % pages), flags);
    }
    // The table leaves the tree either way: handle_changed_spte frees it (handle_removed_pt).
    tdpMmuSetSpte(state, root, iter.table, iter.index, spte);
    return 'skip';
  });
}

/** The first present leaf under a table, in gfn order. */
function firstLeaf(table: PageTable): number | undefined {
  for (let i = 0; i < 512; i++) {
    const spte = table.spt[i]!;
    if (!isShadowPresent(spte)) continue;
    if (isLastSpte(spte, table.level)) return spte;
    const found = firstLeaf(table.children![i]!);
    if (found !== undefined) return found;
  }
  return undefined;
}
