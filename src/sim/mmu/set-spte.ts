// The one place where SPTEs change (tdp_mmu.c): tdp_mmu_set_spte_atomic /
// tdp_mmu_iter_set_spte write an entry and hand the change to handle_changed_spte, which
// keeps the page stats, frees tables that left the tree (handle_removed_pt) and emits
// kvm_tdp_mmu_spte_changed. Linking a table (tdp_mmu_link_sp) and splitting a huge page
// (tdp_mmu_split_huge_page) are built on it. The only writes that bypass
// handle_changed_spte are the ones the kernel makes outside it too: fast_page_fault's
// cmpxchg (fast_pf_fix_direct_spte) and the CPU setting A/D during its page walk.

import type { VmState } from '../state.js';
import { hex } from '../u64.js';
import { roleAddressSpace } from './role.js';
import type { TdpRoot } from './roots.js';
import {
  SHADOW_NONPRESENT,
  SPTE_HOST_WRITABLE,
  SPTE_HUGE,
  SPTE_PRESENT,
  SPTE_WRITABLE,
  isLastSpte,
  isMmioFlags,
  isMmioSpte,
  isShadowPresent,
  makeHugePageSplitSpte,
  makeSpte,
  spteFlags,
  sptePfn,
  spteValue,
} from './spte.js';
import { SPTE_ENT_PER_PAGE, type PageTable } from './table.js';
import type { TracepointEvent } from './tracepoint.js';

const PAGES = [0, 1, 512, 262144, 134217728, 68719476736];

/** FROZEN_SPTE (REMOVED_SPTE before 6.13): what handle_removed_pt leaves in a freed table. */
const FROZEN_SPTE = 0x5a0n;

/** kvm_update_page_stats: leaves per level, in the root's counters. */
export function kvmUpdatePageStats(root: TdpRoot, level: number, delta: number): void {
  const c = root.counts;
  if (level === 1) c['4K'] += delta;
  else if (level === 2) c['2M'] += delta;
  else c['1G'] += delta;
}

/** The SPTE as the trace and the walk show it. */
export const traceSpte = (state: VmState, root: TdpRoot, spte: number, level: number): string =>
  hex(spteValue(spte, level, { vendor: state.config.host.vendor, adDisabled: root.role.adDisabled }));

/** The address of an entry (sptep): the table page's frame plus 8 bytes per index. */
export const sptepOf = (table: PageTable, index: number): string => hex(table.pfn * 4096 + index * 8);

export function emit(state: VmState, ev: TracepointEvent): void {
  state.trace?.push(ev);
}

/** trace_kvm_tdp_mmu_spte_changed (only with a sink: the formatting stays off the hot path). */
function traceSpteChanged(state: VmState, root: TdpRoot, gfn: number, oldSpte: number, newSpte: number, level: number, frozen: boolean): void {
  emit(state, {
    name: 'kvm_tdp_mmu_spte_changed',
    asId: roleAddressSpace(root.role),
    gfn: hex(gfn),
    level,
    oldSpte: traceSpte(state, root, oldSpte, level),
    newSpte: frozen ? hex(FROZEN_SPTE) : traceSpte(state, root, newSpte, level),
  });
}

/**
 * handle_changed_spte: everything that follows from entry `index` of `table` changing
 * (the caller traced it). It takes the flags of the old and new values (0 = not present):
 * small integers, so the hot path passes no boxed doubles. `removed` is the child table a
 * replaced non-leaf entry pointed to.
 */
function handleChangedSpte(
  state: VmState,
  root: TdpRoot,
  table: PageTable,
  index: number,
  oldFlags: number,
  newFlags: number,
  removed: PageTable | undefined,
): void {
  const level = table.level;
  const isPresent = (newFlags & SPTE_PRESENT) !== 0;
  const isLeaf = isPresent && (level === 1 || (newFlags & SPTE_HUGE) !== 0);
  let wasLeaf = false;
  if (oldFlags !== 0) {
    const wasPresent = (oldFlags & SPTE_PRESENT) !== 0;
    wasLeaf = wasPresent && (level === 1 || (oldFlags & SPTE_HUGE) !== 0);
    // MMIO SPTEs are not shadow-present; the simulator counts them beside the leaves.
    if (isMmioFlags(oldFlags)) root.counts.mmio--;
  }
  if (wasLeaf !== isLeaf) kvmUpdatePageStats(root, level, isLeaf ? 1 : -1);
  const isMmio = !isPresent && isMmioFlags(newFlags);
  if (isMmio) root.counts.mmio++;
  if ((isLeaf || isMmio) && state.changeLog !== undefined) state.changeLog.push(table.entryGfn(index), PAGES[level]!);
  // A table that left the tree (replaced by a leaf or zapped) is freed with its subtree. Only
  // such a write passes `removed`: a table entry is never relinked to another table
  // (tdp_mmu_link_sp links over non-present entries and huge leaves only).
  if (removed) handleRemovedPt(state, root, removed);
}

/** handle_removed_pt: every entry of a table that left the tree goes, then the table. */
function handleRemovedPt(state: VmState, root: TdpRoot, table: PageTable): void {
  const spt = table.spt;
  const children = table.children;
  for (let i = 0; i < SPTE_ENT_PER_PAGE; i++) {
    const old = spt[i]!;
    if (old === SHADOW_NONPRESENT) continue;
    let child: PageTable | undefined;
    if (children) {
      child = children[i];
      children[i] = undefined;
    }
    spt[i] = SHADOW_NONPRESENT;
    if (state.trace !== undefined) traceSpteChanged(state, root, table.entryGfn(i), old, SHADOW_NONPRESENT, table.level, true);
    handleChangedSpte(state, root, table, i, spteFlags(old), 0, child);
  }
  // tdp_unaccount_mmu_page, then the page goes back (call_rcu(tdp_mmu_free_sp_rcu_callback)).
  root.counts.tables--;
  state.roots.freeTables(1);
}

/**
 * tdp_mmu_set_spte_atomic / tdp_mmu_iter_set_spte: write entry `index` of `table` (a
 * table of `level` entries) and account the change. `child` is the table a new non-leaf
 * entry points to.
 */
export function tdpMmuSetSpte(state: VmState, root: TdpRoot, table: PageTable, index: number, newSpte: number, child?: PageTable): void {
  const old = table.spt[index]!;
  if (old === newSpte) return;
  if (invariantChecks) assertSpteChange(table, index, old, newSpte, child);
  let removed: PageTable | undefined;
  const children = table.children;
  if (children !== null) {
    removed = children[index];
    children[index] = child;
  }
  table.spt[index] = newSpte;
  if (state.trace !== undefined) traceSpteChanged(state, root, table.entryGfn(index), old, newSpte, table.level, false);
  handleChangedSpte(state, root, table, index, old === SHADOW_NONPRESENT ? 0 : spteFlags(old), spteFlags(newSpte), removed);
}

/**
 * tdp_mmu_set_spte_atomic for the empty entries of `table` from `index` up to `end`,
 * stopping at the first entry that is not empty: leaf k gets pfn + k pages with `flags`.
 * The simulator's batching of the writes a run of faults makes (page-run.ts);
 * handle_changed_spte of an empty entry turned leaf only counts the leaf, so the stats move
 * once for the run. The caller keeps it to pre-faults (no change log) with no trace sink.
 * Returns the leaves written.
 */
export function tdpMmuSetLeafRun(root: TdpRoot, table: PageTable, index: number, end: number, pfn: number, flags: number): number {
  const spt = table.spt;
  const step = makeSpte(PAGES[table.level]!, 0); // the next pfn, the same flags
  const checks = invariantChecks;
  let spte = makeSpte(pfn, flags);
  let i = index;
  for (; i < end && spt[i] === SHADOW_NONPRESENT; i++) {
    if (checks) assertSpteChange(table, i, SHADOW_NONPRESENT, spte, undefined);
    spt[i] = spte;
    spte += step;
  }
  const n = i - index;
  if (n > 0) kvmUpdatePageStats(root, table.level, n);
  return n;
}

/**
 * The SPTE invariants tdp_mmu.c WARNs or BUGs on, checked on every funnel write while on.
 * Off by default: the write path then pays one flag test. Tests turn it on
 * (test/helpers/spte-invariants.ts, a vitest setup file).
 */
let invariantChecks = false;

/** Turn the SPTE invariant checks on or off for this module instance. */
export function checkSpteInvariants(on: boolean): void {
  invariantChecks = on;
}

/** A change tdp_mmu.c would WARN or BUG on: an engine bug, never a caller's mistake. */
function spteInvariantBroken(what: string, table: PageTable, index: number, old: number, next: number): never {
  const gfn = hex(table.entryGfn(index));
  throw new Error(`SPTE invariant: ${what} (gfn ${gfn}, level ${table.level}, old ${old}, new ${next})`);
}

/** handle_changed_spte's WARN_ON_ONCE / BUG checks, get_external_spt's child checks, check_spte_writable_invariants. */
function assertSpteChange(table: PageTable, index: number, old: number, next: number, child: PageTable | undefined): void {
  const level = table.level;
  if (level < 1 || level > 5) spteInvariantBroken('level outside PG_LEVEL_4K..PT64_ROOT_MAX_LEVEL', table, index, old, next);
  if (table.entryGfn(index) % PAGES[level]! !== 0) spteInvariantBroken('gfn not aligned to its level', table, index, old, next);
  const wasPresent = isShadowPresent(old);
  const isPresent = isShadowPresent(next);
  const wasLeaf = wasPresent && isLastSpte(old, level);
  const isLeaf = isPresent && isLastSpte(next, level);
  const pfnChanged = sptePfn(old) !== sptePfn(next);
  if (wasLeaf && isLeaf && pfnChanged)
    spteInvariantBroken('a present leaf replaced by a present leaf with another pfn (BUG)', table, index, old, next);
  if (!wasPresent && !isPresent && !isMmioSpte(old) && !isMmioSpte(next))
    spteInvariantBroken('a non-present SPTE replaced by another non-present, non-MMIO SPTE', table, index, old, next);
  if (wasPresent && !wasLeaf && isPresent && !isLeaf && pfnChanged)
    spteInvariantBroken('a table pointer replaced by a pointer to another table', table, index, old, next);
  const flags = spteFlags(next);
  if (isLeaf && flags & SPTE_WRITABLE && !(flags & SPTE_HOST_WRITABLE))
    spteInvariantBroken('a writable leaf that is not MMU-writable (check_spte_writable_invariants)', table, index, old, next);
  if (isPresent && !isLeaf) {
    // get_external_spt / spte_to_child_sp: the child is one level down, at this entry's gfn.
    if (!child || child.pfn !== sptePfn(next)) spteInvariantBroken('a table pointer without its child table', table, index, old, next);
    if (child.level + 1 !== level) spteInvariantBroken('child table level mismatch', table, index, old, next);
    if (child.gfn !== table.entryGfn(index)) spteInvariantBroken('child table gfn mismatch', table, index, old, next);
  }
}

/** tdp_mmu_link_sp: point entry `index` at a new child table (make_nonleaf_spte), and account it. */
export function tdpMmuLinkSp(state: VmState, root: TdpRoot, table: PageTable, index: number, child: PageTable): void {
  tdpMmuSetSpte(state, root, table, index, makeSpte(child.pfn, SPTE_PRESENT), child);
  root.counts.tables++; // tdp_account_mmu_page
}

/**
 * tdp_mmu_split_huge_page: fill `child` with the huge leaf's pieces
 * (make_huge_page_split_spte), link it in place of the leaf, and count the new leaves in
 * bulk (the kernel's kvm_update_page_stats(kvm, level - 1, SPTE_ENT_PER_PAGE)). Used by the
 * fault path and by eager splitting alike.
 */
export function tdpMmuSplitHugePage(state: VmState, root: TdpRoot, table: PageTable, index: number, child: PageTable): void {
  const huge = table.spt[index]!;
  const childLevel = child.level;
  const nx = state.config.host.nxHugePages;
  // The child is not reachable yet: the kernel fills sp->spt directly too.
  for (let i = 0; i < SPTE_ENT_PER_PAGE; i++) child.spt[i] = makeHugePageSplitSpte(huge, childLevel, i, nx);
  tdpMmuLinkSp(state, root, table, index, child);
  kvmUpdatePageStats(root, childLevel, SPTE_ENT_PER_PAGE);
  const gfn = table.gfn + index * PAGES[table.level]!;
  if (state.changeLog !== undefined) state.changeLog.push(gfn, PAGES[table.level]!);
  if (state.trace !== undefined)
    emit(state, { name: 'kvm_mmu_split_huge_page', gfn: hex(gfn), spte: traceSpte(state, root, huge, table.level), level: table.level, errno: 0 });
}

/**
 * fast_pf_fix_direct_spte: fast_page_fault's cmpxchg of a leaf into a leaf (restored
 * access tracking, or W back). It never changes what the entry is, so no stats change,
 * and the kernel does not call handle_changed_spte for it.
 */
export function fastPfFixDirectSpte(state: VmState, table: PageTable, index: number, newSpte: number): void {
  table.spt[index] = newSpte;
  if (state.changeLog !== undefined) state.changeLog.push(table.entryGfn(index), PAGES[table.level]!);
}

/** The CPU's page walk setting A (and D on a write) in a leaf: hardware, not KVM, writes it. */
export function hardwareSetAccessedDirty(state: VmState, table: PageTable, index: number, newSpte: number): void {
  table.spt[index] = newSpte;
  if (state.changeLog !== undefined) state.changeLog.push(table.entryGfn(index), PAGES[table.level]!);
}
