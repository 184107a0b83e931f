// Removing SPTEs: ranged leaf zaps (tdp_mmu_zap_leafs), freeing removed tables
// (handle_removed_pt) and eager huge-page splitting for dirty logging.

import type { VmState } from '../state.js';
import { forEachTdpPte } from './iter.js';
import type { LeafCounts, TdpRoot } from './roots.js';
import { SHADOW_NONPRESENT, SPTE_EXECUTABLE, SPTE_HUGE, isLastSpte, isMmioSpte, isShadowPresent, makeSpte, spteFlags, sptePfn } from './spte.js';
import type { PageTable } from './table.js';
import { PAGES_PER_LEVEL } from '../u64.js';

export const leafCountKey = (level: number): keyof LeafCounts => (level === 1 ? '4K' : level === 2 ? '2M' : '1G');

/** handle_removed_pt: a table left the tree; forget its tables and leaves. */
export function dropSubtree(state: VmState, root: TdpRoot, table: PageTable): void {
  let tables = 0;
  const visit = (t: PageTable): void => {
    tables++;
    for (let i = 0; i < 512; i++) {
      const spte = t.spt[i]!;
      if (spte === SHADOW_NONPRESENT) continue;
      if (isMmioSpte(spte)) root.counts.mmio--;
      else if (isLastSpte(spte, t.level)) root.counts[leafCountKey(t.level)]--;
      else visit(t.children![i]!);
    }
  };
  visit(table);
  root.counts.tables -= tables;
  state.roots.freeTables(tables);
}

/**
 * tdp_mmu_zap_leafs over [start, end) in one root: every present leaf touching the range
 * goes (a huge leaf that only overlaps goes whole); MMIO SPTEs are not shadow-present
 * and stay; tables stay. Returns the number of leaves zapped.
 */
export function zapLeafs(state: VmState, root: TdpRoot, start: number, end: number): number {
  let zapped = 0;
  forEachTdpPte(root.table, 1, start, end, (iter) => {
    const spte = iter.oldSpte;
    if (!isShadowPresent(spte) || !isLastSpte(spte, iter.level)) return;
    iter.table.spt[iter.index] = SHADOW_NONPRESENT;
    root.counts[leafCountKey(iter.level)]--;
    zapped++;
  });
  if (zapped > 0) state.roots.generation++;
  return zapped;
}

/** kvm_unmap_gfn_range across every valid root (memslot leaf zap, attribute change). */
export function zapGfnRangeAllRoots(state: VmState, start: number, end: number): void {
  for (const root of state.roots.valid()) zapLeafs(state, root, start, end);
}

/**
 * kvm_tdp_mmu_try_split_huge_pages (eager split when dirty logging starts): every huge
 * leaf in [start, end) becomes a table of 4K leaves with the same bits.
 */
export function splitHugePagesTo4K(state: VmState, root: TdpRoot, start: number, end: number): void {
  for (let level = root.table.level - 1; level >= 2; level--) {
    forEachTdpPte(root.table, level, start, end, (iter) => {
      if (iter.level !== level || !isShadowPresent(iter.oldSpte) || !isLastSpte(iter.oldSpte, level)) return;
      const old = iter.oldSpte;
      const child = state.roots.allocTable(level - 1, iter.gfn);
      let flags = spteFlags(old);
      if (level - 1 === 1) {
        flags &= ~SPTE_HUGE;
        if (state.config.host.nxHugePages) flags |= SPTE_EXECUTABLE;
      }
      const step = PAGES_PER_LEVEL[level - 1]!;
      for (let i = 0; i < 512; i++) child.spt[i] = makeSpte(sptePfn(old) + i * step, flags);
      iter.table.children![iter.index] = child;
      iter.table.spt[iter.index] = makeSpte(child.pfn, 1);
      root.counts[leafCountKey(level)]--;
      root.counts[leafCountKey(level - 1)] += 512;
      root.counts.tables++;
      return 'skip';
    });
  }
  state.roots.generation++;
}
