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
 * Logging starts (x86.c:kvm_mmu_slot_apply_flags, after any eager split). With PML (Intel
 * EPT with A/D bits) kvm_mmu_slot_leaf_clear_dirty clears D, then
 * kvm_mmu_slot_remove_write_access write-protects leaves from 2M up; without PML every leaf
 * loses W (from 4K up).
 */
export function writeProtectSlot(state: VmState, root: TdpRoot, start: number, end: number): void {
  // kvm->arch.cpu_dirty_log_size is per VM and never set for a TD (fbb4adadea55, 6.16).
  const pml = state.config.host.vendor === 'intel' && state.config.host.adBits && state.config.type !== 'tdx';
  if (pml) {
    // tdp_mmu.c:clear_dirty_gfn_range visits every leaf level; the legacy MMU's rmap walk
    // (walk_slot_rmaps_4k with __rmap_clear_dirty) only 4K leaves.
    clearSptesBits(state, root, start, end, state.config.host.tdpMmu ? 1 : 0, SPTE_DIRTY);
    clearSptesBits(state, root, start, end, 2, SPTE_WRITABLE);
  } else {
    clearSptesBits(state, root, start, end, 1, SPTE_WRITABLE);
  }
}

/**
 * Clear `bit` in every present leaf of [start, end) at `minLevel` and above (0: 4K leaves
 * only). wrprot_gfn_range clears only W (MMU-writable stays, so a write fault can restore it).
 */
function clearSptesBits(state: VmState, root: TdpRoot, start: number, end: number, minLevel: number, bit: number): void {
  const bits = kvmGfnRootBits(state, root);
  forEachTdpPte(root.table, Math.max(minLevel, 1), start + bits, end + bits, (iter) => {
    const spte = iter.oldSpte;
    if (!isShadowPresent(spte) || !isLastSpte(spte, iter.level)) return;
    if (minLevel === 0 && iter.level !== 1) return;
    if (spteFlags(spte) & bit) tdpMmuSetSpte(state, root, iter.table, iter.index, spte - bit);
  });
}

/**
 * Logging stops: mmu.c:kvm_mmu_recover_huge_pages (6.13+; kvm_mmu_zap_collapsible_sptes
 * before). With the TDP MMU, 6.13+ rebuilds a huge SPTE in place of each table the slot's
 * rules allow to be huge, from its first present leaf (kvm_tdp_mmu_recover_huge_pages,
 * make_huge_spte); older kernels zap those tables (kvm_tdp_mmu_zap_collapsible_sptes) for
 * the next fault to refill. The legacy MMU zaps leaves through its rmaps in every version.
 */
export function recoverHugePages(state: VmState, root: TdpRoot, slot: Memslot): void {
  if (!state.config.host.tdpMmu) {
    kvmRmapZapCollapsibleSptes(state, root, slot);
    return;
  }
  const bits = kvmGfnRootBits(state, root);
  forEachTdpPte(root.table, 2, slot.baseGfn + bits, slot.baseGfn + slot.npages + bits, (iter) => {
    const old = iter.oldSpte;
    if (iter.level > 3 || !isShadowPresent(old) || isLastSpte(old, iter.level)) return;
    // The kernel also skips iter.gfn < start here, which keeps lpage_info's index inside the
    // slot; lpageDisallowedBySlot answers for any gfn and refuses every page that crosses
    // the slot's head or tail, so kvm_mmu_max_mapping_level alone decides here.
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
    // The table leaves the tree either way: handle_changed_spte frees it (handle_removed_pt),
    // and the walk does not step down from the leaf or empty entry it now reads.
    tdpMmuSetSpte(state, root, iter.table, iter.index, spte);
  });
}

/**
 * kvm_rmap_zap_collapsible_sptes: walk_slot_rmaps over the slot's 4K and 2M leaves
 * (PG_LEVEL_4K to KVM_MAX_HUGEPAGE_LEVEL - 1); kvm_mmu_zap_collapsible_spte zaps each leaf
 * whose table could be mapped huger (sp->role.level < kvm_mmu_max_mapping_level at sp->gfn).
 * Only leaves are on the rmaps: the tables stay and nothing is installed.
 */
function kvmRmapZapCollapsibleSptes(state: VmState, root: TdpRoot, slot: Memslot): void {
  // No gfn root bits: a TD needs the TDP MMU (kvm_arch_init_vm), so the legacy MMU has none.
  forEachTdpPte(root.table, 1, slot.baseGfn, slot.baseGfn + slot.npages, (iter) => {
    const spte = iter.oldSpte;
    if (iter.level > 2 || !isShadowPresent(spte) || !isLastSpte(spte, iter.level)) return;
    if (iter.table.level >= maxMappingLevel(state, slot, iter.table.gfn, 3, false)) return;
    tdpMmuSetSpte(state, root, iter.table, iter.index, SHADOW_NONPRESENT);
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
