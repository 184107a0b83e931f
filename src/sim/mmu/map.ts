// kvm_tdp_mmu_map (tdp_mmu.c): walk from the root to the goal level, linking new tables
// and splitting huge leaves on the way, then install (or keep) the leaf. Every write goes
// through the funnel in set-spte.ts.

import type { VmState } from '../state.js';
import { PAGES_PER_LEVEL, hex } from '../u64.js';
import { RET_PF_EMULATE, RET_PF_FIXED, RET_PF_SPURIOUS, ENOMEM, type KvmPageFault } from './internal.js';
import { childTable, tdpIterStart, tryStepDown, type TdpIter } from './iter.js';
import { makeLeafFlags } from './make-spte.js';
import { directPtePrefetch } from './prefetch.js';
import { TableBudgetExceeded, type TdpRoot } from './roots.js';
import { emit, sptepOf, tdpMmuLinkSp, tdpMmuSetSpte, tdpMmuSplitHugePage, traceSpte } from './set-spte.js';
import { SHADOW_NONPRESENT, SPTE_MMIO, isAccessAllowed, isLastSpte, isShadowPresent, makeSpte, spteFlags } from './spte.js';
import type { PageTable } from './table.js';

/** fault->pfn &= ~(KVM_PAGES_PER_HPAGE(level) - 1): a huge leaf maps from its first frame. */
const leafPfn = (f: KvmPageFault, level: number): number => (level === 1 ? f.pfn : f.pfn - (f.gfn % PAGES_PER_LEVEL[level]!));

/** The non-present entry or huge leaf above the goal gets a child table (link or split). */
function linkChild(state: VmState, root: TdpRoot, iter: TdpIter, f: KvmPageFault): void {
  const child = state.roots.allocTable(iter.level - 1, iter.gfn);
  child.nxHugePageDisallowed = f.hugePageDisallowed;
  if (isShadowPresent(iter.oldSpte)) tdpMmuSplitHugePage(state, root, iter.table, iter.index, child);
  else tdpMmuLinkSp(state, root, iter.table, iter.index, child);
  iter.oldSpte = iter.table.spt[iter.index]!;
}

/** disallowed_hugepage_adjust: do not rebuild a huge page over a table an exec fault split. */
function disallowedHugepageAdjust(state: VmState, f: KvmPageFault, iter: TdpIter): void {
  if (!state.config.host.nxHugePages) return;
  if (iter.level > 1 && iter.level === f.goalLevel && isShadowPresent(iter.oldSpte) && !isLastSpte(iter.oldSpte, iter.level)) {
    const child = childTable(iter);
    if (child?.nxHugePageDisallowed) f.goalLevel--;
  }
}

/** trace_kvm_mmu_spte_requested (kvm_tdp_mmu_map; the pfn is 0 for a no-slot fault). Off the hot path. */
function traceSpteRequested(state: VmState, f: KvmPageFault): void {
  emit(state, { name: 'kvm_mmu_spte_requested', gfn: hex(f.addrGfn), pfn: hex(f.slot ? f.pfn : 0), level: f.goalLevel });
}

/** trace_kvm_mmu_set_spte, with the entry as it now stands. Off the hot path. */
function traceSetSpte(state: VmState, root: TdpRoot, table: PageTable, index: number): void {
  const level = table.level;
  emit(state, {
    name: 'kvm_mmu_set_spte',
    gfn: hex(table.entryGfn(index)),
    spte: traceSpte(state, root, table.spt[index]!, level),
    sptep: sptepOf(table, index),
    level,
  });
}

/**
 * The spurious shortcuts of tdp_mmu_map_handle_target_level (TDP MMU) and mmu_set_spte
 * (legacy MMU) for a present old SPTE, per version. Kept out of the hot function (a fresh
 * entry never gets here).
 */
function spuriousOverPresent(state: VmState, f: KvmPageFault, old: number, level: number): boolean {
  const leaf = isLastSpte(old, level);
  // 386d69f9f29b (6.13): the TDP MMU stops when the present leaf already allows the access.
  if (state.switches.accessAllowedSpurious && leaf && isAccessAllowed(spteFlags(old), f)) return true;
  if (!f.prefetch) return false;
  // 6.16+ (ea9fcdf76d3d, d17cc13cc484): a prefetch over a present *leaf*.
  if (state.switches.spuriousNeedsLeaf) return leaf;
  // 6.13-6.15 (6385d01eec16): a prefetch over any present entry at the goal level, even a table.
  // 6.11-6.12: no shortcut; make_spte rebuilds the entry and only an identical one is spurious.
  return state.switches.prefetchSpuriousOverPresent;
}

/** tdp_mmu_map_handle_target_level: install the leaf, or report the fault spurious. */
function handleTargetLevel(state: VmState, root: TdpRoot, f: KvmPageFault, table: PageTable, index: number, level: number): number {
  const old = table.spt[index]!;
  const slot = f.slot;
  if (slot && old !== SHADOW_NONPRESENT && isShadowPresent(old) && spuriousOverPresent(state, f, old, level)) return RET_PF_SPURIOUS;
  // make_mmio_spte keeps the gfn where a leaf keeps the pfn, and no permissions.
  const flags = slot ? makeLeafFlags(state, root, level, old, f.prefetch, f.mapWritable, f.isPrivate) : SPTE_MMIO;
  const pfn = slot ? leafPfn(f, level) : f.addrGfn;
  const spte = makeSpte(pfn, flags);
  let ret = slot ? RET_PF_FIXED : RET_PF_EMULATE; // a new MMIO SPTE means the access must be emulated
  if (spte === old) {
    if (slot) ret = RET_PF_SPURIOUS;
  } else {
    // A huge leaf over a table frees the subtree (handle_changed_spte -> handle_removed_pt).
    tdpMmuSetSpte(state, root, table, index, spte);
    f.installed = true;
    f.installedFlags = flags;
    f.installedPfn = pfn;
    f.installedGfn = table.gfn + index * PAGES_PER_LEVEL[level]!;
    f.installedLevel = level;
  }
  if (state.trace !== undefined && slot) traceSetSpte(state, root, table, index);
  // Legacy TDP MMU (direct_map): neighbours of a new 4K leaf are prefetched.
  if (state.legacyPrefetch && level === 1 && ret !== RET_PF_SPURIOUS) directPtePrefetch(state, root, f, table, index);
  return ret;
}

export function kvmTdpMmuMap(state: VmState, root: TdpRoot, f: KvmPageFault): number {
  try {
    if (state.trace !== undefined) traceSpteRequested(state, f);
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
    // Always valid: tdp_iter_start's one refusal, a root level outside 1..5, cannot arise (roots are 4- or 5-level).
    const iter = tdpIterStart(root.table, 1, f.addrGfn);
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
