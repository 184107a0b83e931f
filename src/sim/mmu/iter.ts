// The TDP iterator (arch/x86/kvm/mmu/tdp_iter.{h,c}): walk state as a plain struct and a
// pre-order walk built from three moves, step down / step side / step up. Every
// traversal of a root (fault, zap, listing, split) goes through it.

import { PAGES_PER_LEVEL } from '../u64.js';
import { isLastSpte, isShadowPresent } from './spte.js';
import { SPTE_ENT_PER_PAGE, type PageTable } from './table.js';

export interface TdpIter {
  /** The gfn the walk is heading for at the lowest level (next_last_level_gfn). */
  nextLastLevelGfn: number;
  /** Tables on the current path, indexed by level (pt_path). */
  readonly ptPath: (PageTable | undefined)[];
  /** The table holding the current SPTE and the SPTE's index in it (sptep). */
  table: PageTable;
  index: number;
  /** The value read at the current position (old_spte). */
  oldSpte: number;
  rootLevel: number;
  minLevel: number;
  /** The current level and the first gfn mapped by the current SPTE. */
  level: number;
  gfn: number;
  valid: boolean;
}

const roundGfnForLevel = (gfn: number, level: number): number => gfn - (gfn % PAGES_PER_LEVEL[level]!);

/** tdp_iter_refresh_sptep: re-read the SPTE at (level, gfn). */
function refreshSptep(iter: TdpIter): void {
  const table = iter.ptPath[iter.level]!;
  iter.table = table;
  iter.index = table.index(iter.gfn);
  iter.oldSpte = table.spt[iter.index]!;
}

/** tdp_iter_start: position the walk at the root entry covering `gfn`. */
export function tdpIterStart(root: PageTable, minLevel: number, gfnIn: number): TdpIter {
  const gfn = gfnIn % (PAGES_PER_LEVEL[root.level]! * SPTE_ENT_PER_PAGE);
  const iter: TdpIter = {
    nextLastLevelGfn: gfn,
    ptPath: [],
    table: root,
    index: 0,
    oldSpte: 0,
    rootLevel: root.level,
    minLevel,
    level: root.level,
    gfn: roundGfnForLevel(gfn, root.level),
    valid: true,
  };
  iter.ptPath[root.level] = root;
  refreshSptep(iter);
  return iter;
}

/** spte_to_child_pt: the table a present non-leaf SPTE points to. */
export function childTable(iter: TdpIter): PageTable | undefined {
  if (!isShadowPresent(iter.oldSpte) || isLastSpte(iter.oldSpte, iter.level)) return undefined;
  return iter.table.children![iter.index];
}

/** try_step_down: descend into the child table, if the current SPTE points to one. */
export function tryStepDown(iter: TdpIter): boolean {
  if (iter.level === iter.minLevel) return false;
  const child = childTable(iter);
  if (!child) return false;
  iter.level--;
  iter.ptPath[iter.level] = child;
  iter.gfn = roundGfnForLevel(iter.nextLastLevelGfn, iter.level);
  refreshSptep(iter);
  return true;
}

/** try_step_side: move to the next SPTE in the same table. */
function tryStepSide(iter: TdpIter): boolean {
  if (iter.index === SPTE_ENT_PER_PAGE - 1) return false;
  iter.gfn += PAGES_PER_LEVEL[iter.level]!;
  iter.nextLastLevelGfn = iter.gfn;
  iter.index++;
  iter.oldSpte = iter.table.spt[iter.index]!;
  return true;
}

/** try_step_up: return to the parent entry. */
function tryStepUp(iter: TdpIter): boolean {
  if (iter.level === iter.rootLevel) return false;
  iter.level++;
  iter.gfn = roundGfnForLevel(iter.gfn, iter.level);
  refreshSptep(iter);
  return true;
}

/** tdp_iter_next: pre-order: down if possible, else side, else up then side. */
export function tdpIterNext(iter: TdpIter): void {
  if (tryStepDown(iter)) return;
  do {
    if (tryStepSide(iter)) return;
  } while (tryStepUp(iter));
  iter.valid = false;
}

/** tdp_iter_step_side after a caller changed the current entry (e.g. zapped a subtree). */
export function tdpIterSkipChildren(iter: TdpIter): void {
  do {
    if (tryStepSide(iter)) return;
  } while (tryStepUp(iter));
  iter.valid = false;
}

/** Re-read the current SPTE after the caller wrote it. */
export function tdpIterReread(iter: TdpIter): void {
  iter.oldSpte = iter.table.spt[iter.index]!;
}

/**
 * for_each_tdp_pte_min_level: visit every SPTE (present or not) of the tables that
 * cover [start, end) down to minLevel, in pre-order. The visitor may write the current
 * entry; it returns 'skip' after replacing a subtree so the walk does not descend, and
 * 'stop' to end the walk.
 */
export function forEachTdpPte(root: PageTable, minLevel: number, start: number, end: number, visit: (iter: TdpIter) => void | 'skip' | 'stop'): void {
  const iter = tdpIterStart(root, minLevel, start);
  while (iter.valid && iter.gfn < end) {
    const next = visit(iter);
    if (next === 'stop') return;
    // A skip steps side or up, and both re-read the entry they land on; a descent reads the
    // entry the visitor may have written.
    if (next === 'skip') tdpIterSkipChildren(iter);
    else {
      tdpIterReread(iter);
      tdpIterNext(iter);
    }
  }
}
