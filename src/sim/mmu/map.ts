// kvm_tdp_mmu_map (tdp_mmu.c): walk from the root to the goal level, linking new tables
// and splitting huge leaves on the way, then install (or keep) the leaf.

import type { VmState } from '../state.js';
import { PAGES_PER_LEVEL } from '../u64.js';
import type { KvmPageFault } from './fault.js';
import { RET_PF_EMULATE, RET_PF_FIXED, RET_PF_SPURIOUS, ENOMEM } from './fault.js';
import { childTable, tdpIterStart, tryStepDown, type TdpIter } from './iter.js';
import { TableBudgetExceeded, type TdpRoot } from './roots.js';
import {
  SPTE_ACCESSED,
  SPTE_ACCESS_TRACKED,
  SPTE_DIRTY,
  SPTE_EXECUTABLE,
  SPTE_HUGE,
  SPTE_MMIO,
  SPTE_PRESENT,
  SPTE_SIM_PRIVATE,
  SPTE_WRITABLE,
  SHADOW_NONPRESENT,
  isLastSpte,
  isMmioSpte,
  isShadowPresent,
  makeSpte,
  spteFlags,
  sptePfn,
} from './spte.js';
import type { PageTable } from './table.js';
import { dropSubtree, leafCountKey } from './zap.js';

/** make_spte (spte.c): the flags of a leaf the fault installs (the pfn is the fault's). */
export function makeLeafFlags(state: VmState, root: TdpRoot, f: KvmPageFault, level: number): number {
  let flags = SPTE_PRESENT;
  const huge = level > 1;
  if (huge) flags |= SPTE_HUGE;
  // The NX huge page mitigation makes every huge SPTE non-executable.
  if (!(huge && state.config.host.nxHugePages)) flags |= SPTE_EXECUTABLE;
  const adDisabled = root.role.adDisabled;
  if (f.mapWritable) {
    flags |= SPTE_WRITABLE;
    if (!adDisabled) flags |= SPTE_DIRTY; // D is set together with W
    if (f.slot?.logDirtyPages) f.slot.dirtyPages.add(f.gfn - f.slot.baseGfn); // mark_page_dirty_in_slot
  }
  if (f.prefetch) {
    // mark_spte_for_access_track: A stays clear; without A/D the SPTE is access-tracked.
    if (adDisabled) flags |= SPTE_ACCESS_TRACKED;
  } else if (!adDisabled) flags |= SPTE_ACCESSED;
  if (f.isPrivate) flags |= SPTE_SIM_PRIVATE;
  return flags;
}

/** fault->pfn &= ~(KVM_PAGES_PER_HPAGE(level) - 1): a huge leaf maps from its first frame. */
const leafPfn = (f: KvmPageFault, level: number): number => (level === 1 ? f.pfn : f.pfn - (f.gfn % PAGES_PER_LEVEL[level]!));


/** Account a leaf entry change in the root's counters. */
function accountLeaf(root: TdpRoot, spte: number, level: number, delta: 1 | -1): void {
  if (isMmioSpte(spte)) root.counts.mmio += delta;
  else if (isShadowPresent(spte) && isLastSpte(spte, level)) root.counts[leafCountKey(level)] += delta;
}

/** tdp_mmu_link_sp / tdp_mmu_split_huge_page: put a new child table under the current entry. */
function linkChild(state: VmState, root: TdpRoot, iter: TdpIter, f: KvmPageFault): void {
  const parent = iter.table;
  const childLevel = iter.level - 1;
  const child = state.roots.allocTable(childLevel, iter.gfn);
  child.nxHugePageDisallowed = f.hugePageDisallowed;
  const old = iter.oldSpte;
  if (isShadowPresent(old)) {
    // make_huge_page_split_spte: 512 children with the parent's bits and consecutive pfns.
    const flags = spteFlags(old);
    let childFlags = childLevel === 1 ? flags & ~SPTE_HUGE : flags;
    // The NX mitigation no longer applies to 4K children: they are executable.
    if (childLevel === 1 && state.config.host.nxHugePages) childFlags |= SPTE_EXECUTABLE;
    const basePfn = sptePfn(old);
    const step = PAGES_PER_LEVEL[childLevel]!;
    for (let i = 0; i < 512; i++) child.spt[i] = makeSpte(basePfn + i * step, childFlags);
    accountLeaf(root, old, iter.level, -1);
    root.counts[leafCountKey(childLevel)] += 512;
  }
  parent.children![iter.index] = child;
  parent.spt[iter.index] = makeSpte(child.pfn, SPTE_PRESENT);
  root.counts.tables++;
  iter.oldSpte = parent.spt[iter.index]!;
}

/** disallowed_hugepage_adjust: do not rebuild a huge page over a table an exec fault split. */
function disallowedHugepageAdjust(state: VmState, f: KvmPageFault, iter: TdpIter): void {
  if (!state.config.host.nxHugePages) return;
  if (iter.level > 1 && iter.level === f.goalLevel && isShadowPresent(iter.oldSpte) && !isLastSpte(iter.oldSpte, iter.level)) {
    const child = childTable(iter);
    if (child?.nxHugePageDisallowed) f.goalLevel--;
  }
}

/** tdp_mmu_map_handle_target_level: install the leaf, or report the fault spurious. */
function handleTargetLevel(state: VmState, root: TdpRoot, f: KvmPageFault, table: PageTable, index: number, level: number): number {
  const old = table.spt[index]!;
  const oldPresent = old !== SHADOW_NONPRESENT && isShadowPresent(old);
  if (f.slot && oldPresent) {
    if (state.switches.spuriousNeedsLeaf) {
      // 6.16+ (ea9fcdf76d3d): a prefetch, or an access the SPTE already allows, over a present *leaf*.
      if (isLastSpte(old, level) && (f.prefetch || accessAllowed(old, f))) return RET_PF_SPURIOUS;
    } else if (f.prefetch) {
      // 6.11-6.15: any present entry at the goal level, even a table; real faults go on to make_spte.
      return RET_PF_SPURIOUS;
    }
  }
  // make_mmio_spte keeps the gfn where a leaf keeps the pfn, and no permissions.
  const flags = f.slot ? makeLeafFlags(state, root, f, level) : SPTE_MMIO;
  const pfn = f.slot ? leafPfn(f, level) : f.addrGfn;
  const spte = makeSpte(pfn, flags);
  if (spte === old) return f.slot ? RET_PF_SPURIOUS : RET_PF_EMULATE;
  if (old !== SHADOW_NONPRESENT) {
    if (oldPresent && !isLastSpte(old, level)) {
      // A huge leaf replaces a table: the subtree is freed (handle_removed_pt).
      const child = table.children![index]!;
      table.children![index] = undefined;
      dropSubtree(state, root, child);
    } else accountLeaf(root, old, level, -1);
  }
  table.spt[index] = spte;
  const counts = root.counts;
  if (!f.slot) counts.mmio++;
  else if (level === 1) counts['4K']++;
  else if (level === 2) counts['2M']++;
  else counts['1G']++;
  f.installed = true;
  f.installedFlags = flags;
  f.installedPfn = pfn;
  f.installedGfn = table.gfn + index * PAGES_PER_LEVEL[level]!;
  f.installedLevel = level;
  // A new MMIO SPTE means the access must be emulated.
  return f.slot ? RET_PF_FIXED : RET_PF_EMULATE;
}

/** is_access_allowed: the leaf permits the faulting access as it stands. */
function accessAllowed(spte: number, f: KvmPageFault): boolean {
  const flags = spteFlags(spte);
  if (flags & SPTE_ACCESS_TRACKED) return false;
  if (f.write && !(flags & SPTE_WRITABLE)) return false;
  if (f.exec && !(flags & SPTE_EXECUTABLE)) return false;
  return true;
}

export function kvmTdpMmuMap(state: VmState, root: TdpRoot, f: KvmPageFault): number {
  try {
    // Fast path: the table the previous fault with this goal used, if still linked. Under
    // the NX mitigation a huge goal may still drop a level at that entry, so walk then.
    const goal = f.goalLevel;
    const cached = state.roots.targetCache[goal]!;
    const t = cached.table;
    if (t && cached.root === root && cached.generation === state.roots.generation && (goal === 1 || !state.config.host.nxHugePages)) {
      const offset = f.addrGfn - t.gfn;
      const index = goal === 1 ? offset : Math.floor(offset / PAGES_PER_LEVEL[goal]!);
      if (index >= 0 && index < 512) return handleTargetLevel(state, root, f, t, index, goal);
    }
    const iter = tdpIterStart(root.table, 1, f.addrGfn);
    if (!iter.valid) return RET_PF_EMULATE; // beyond the root's reach: nothing to map
    for (;;) {
      disallowedHugepageAdjust(state, f, iter);
      if (iter.level === f.goalLevel) break;
      // A non-present entry, or a huge leaf above the goal: link (or split into) a table.
      if (!isShadowPresent(iter.oldSpte) || isLastSpte(iter.oldSpte, iter.level)) linkChild(state, root, iter, f);
      tryStepDown(iter);
    }
    const slot = state.roots.targetCache[iter.level]!;
    slot.root = root;
    slot.generation = state.roots.generation;
    slot.table = iter.table;
    return handleTargetLevel(state, root, f, iter.table, iter.index, iter.level);
  } catch (e) {
    if (e instanceof TableBudgetExceeded) return ENOMEM; // tdp_mmu_alloc_sp via mmu_topup_memory_caches
    throw e;
  }
}
