// Removing SPTEs: ranged leaf zaps (tdp_mmu_zap_leafs, kvm_tdp_mmu_unmap_gfn_range) and
// eager huge-page splitting for dirty logging (kvm_tdp_mmu_try_split_huge_pages). Every
// write goes through the funnel (set-spte.ts), which also frees removed tables.

import type { Memslot } from '../memslots.js';
import { kvmGfnDirectBits, type VmState } from '../state.js';
import { forEachTdpPte } from './iter.js';
import { roleAddressSpace } from './role.js';
import type { TdpRoot } from './roots.js';
import { tdpMmuSetSpte, tdpMmuSplitHugePage } from './set-spte.js';
import { SHADOW_NONPRESENT, isLastSpte, isShadowPresent } from './spte.js';

/** kvm_gfn_root_bits: the direct (shared) root of a TD maps gfns with the shared bit set. */
export const kvmGfnRootBits = (state: VmState, root: TdpRoot): number => (root.role.mirror ? 0 : kvmGfnDirectBits(state));

/**
 * tdp_mmu_zap_leafs over [start, end) in one root, offset by the root's gfn bits (for_each_tdp_pte_min_level
 * starts the iterator at start | kvm_gfn_root_bits): every present leaf touching the range
 * goes (a huge leaf that only overlaps goes whole); MMIO SPTEs are not shadow-present and
 * stay; tables stay, so the fault path's cached goal tables (roots.ts targetCache) stay valid.
 */
export function zapLeafs(state: VmState, root: TdpRoot, start: number, end: number): void {
  const bits = kvmGfnRootBits(state, root);
  forEachTdpPte(root.table, 1, start + bits, end + bits, (iter) => {
    const spte = iter.oldSpte;
    if (!isShadowPresent(spte) || !isLastSpte(spte, iter.level)) return;
    tdpMmuSetSpte(state, root, iter.table, iter.index, SHADOW_NONPRESENT);
  });
}

/** kvm_unmap_gfn_range across every valid root (attribute change: kvm_arch_pre_set_memory_attributes). */
export function zapGfnRangeAllRoots(state: VmState, start: number, end: number): void {
  for (const root of state.roots.valid()) zapLeafs(state, root, start, end);
}

/**
 * kvm_mmu_zap_memslot_leafs (a memslot delete or move without KVM_X86_QUIRK_SLOT_ZAP_ALL,
 * or on VM types that never zap all): kvm_unmap_gfn_range over the slot, in the roots of
 * the slot's address space, shared and private; the tables above the leaves stay.
 */
export function kvmMmuZapMemslotLeafs(state: VmState, slot: Memslot): void {
  for (const root of state.roots.valid())
    if (roleAddressSpace(root.role) === slot.asId) zapLeafs(state, root, slot.baseGfn, slot.baseGfn + slot.npages);
}

/**
 * kvm_tdp_mmu_try_split_huge_pages (eager split when dirty logging starts): every huge
 * leaf in [start, end) becomes a table of smaller leaves with the same bits
 * (tdp_mmu_split_huge_page, the fault path's split), down to 4K.
 */
export function splitHugePagesTo4K(state: VmState, root: TdpRoot, start: number, end: number): void {
  const bits = kvmGfnRootBits(state, root);
  // for_each_tdp_pte_min_level(..., target_level + 1, ...): only levels 2 and up are visited.
  forEachTdpPte(root.table, 2, start + bits, end + bits, (iter) => {
    if (!isShadowPresent(iter.oldSpte) || !isLastSpte(iter.oldSpte, iter.level)) return;
    const child = state.roots.allocTable(iter.level - 1, iter.gfn);
    tdpMmuSplitHugePage(state, root, iter.table, iter.index, child);
    // Not 'skip': the walk goes on into the new table and splits its huge leaves too.
    return;
  });
  // No table is freed (leaves become tables), so cached goal tables stay valid.
}
