// Read-only views of a root: the walk to one gfn (kvm_tdp_mmu_get_walk), the leaf that
// covers a gfn, and the coalesced listing of leaves. None of these writes anything.

import { MappingCoalescer, mappingRow } from '../response-rows.js';
import type { MappingRow, MappingsPage, WalkResult, WalkStep } from '../types.js';
import { LEVEL_NAMES, gfnToHex, hex } from '../u64.js';
import { forEachTdpPte, tdpIterStart, tryStepDown } from './iter.js';
import type { TdpRoot } from './roots.js';
import { isLastSpte, isMmioSpte, isShadowPresent, spteFlags, sptePfn, spteValue } from './spte.js';
import type { PageTable } from './table.js';

export interface LeafRef {
  table: PageTable;
  index: number;
  level: number;
  spte: number;
}

/** The present leaf or MMIO SPTE mapping gfn in this root, if any. */
export function findLeaf(root: TdpRoot, gfn: number): LeafRef | null {
  const iter = tdpIterStart(root.table, 1, gfn);
  if (!iter.valid) return null;
  for (;;) {
    const spte = iter.oldSpte;
    if (isMmioSpte(spte) || (isShadowPresent(spte) && isLastSpte(spte, iter.level)))
      return { table: iter.table, index: iter.index, level: iter.level, spte };
    if (!tryStepDown(iter)) return null;
  }
}

/**
 * kvm_tdp_mmu_get_walk: the SPTE at every level on the way to gfn, whole: hardware bits
 * and KVM's software bits (spteValue).
 */
export function walkGfn(root: TdpRoot, gfn: number, vendor: 'intel' | 'amd'): WalkResult {
  const steps: WalkStep[] = [];
  let leafLevel: number | null = null;
  const iter = tdpIterStart(root.table, 1, gfn);
  while (iter.valid) {
    const spte = iter.oldSpte;
    const leaf = isMmioSpte(spte) || (isShadowPresent(spte) && isLastSpte(spte, iter.level));
    steps.push({
      level: iter.level,
      index: iter.index,
      gpaBase: gfnToHex(iter.gfn),
      spte: hex(spteValue(spte, iter.level, { vendor, adDisabled: root.role.adDisabled })),
      present: isShadowPresent(spte),
      leaf,
      mapping: leaf ? mappingRow(iter.gfn, iter.level, 1, spteFlags(spte), sptePfn(spte), root.noAdPredicates) : null,
    });
    if (leaf) leafLevel = iter.level;
    if (!tryStepDown(iter)) break;
  }
  return { root: root.ref(), gpa: gfnToHex(gfn), steps, leafLevel: leafLevel ? LEVEL_NAMES[leafLevel]! : null };
}

/**
 * Leaves of [from, to) in gfn order, coalesced, at most `limit` rows. The cursor is the
 * gfn (hex) where the next page starts, so pages never split or repeat a row.
 */
export function listMappings(root: TdpRoot, from: number, to: number, limit: number): MappingsPage {
  const out = new MappingCoalescer(root.noAdPredicates);
  let nextCursor: string | null = null;
  let stopped = false;
  forEachTdpPte(root.table, 1, from, to, (iter) => {
    const spte = iter.oldSpte;
    if (!(isMmioSpte(spte) || (isShadowPresent(spte) && isLastSpte(spte, iter.level)))) return;
    out.add(iter.gfn, iter.level, spte);
    if (out.size > limit) {
      // The leaf just added opened row limit+1: end the page before it.
      stopped = true;
      nextCursor = gfnToHex(out.openRunGfn()!);
      return 'stop';
    }
    return;
  });
  const rows = out.finish();
  if (stopped) rows.pop();
  return { mappings: rows, nextCursor };
}

/**
 * The leaves in the logged [gfn, gfn + pages) ranges (state.changeLog pairs) as they stand
 * now, in gfn order, each once, coalesced: what a guest access installed or changed.
 */
export function listChangedLeaves(root: TdpRoot, log: readonly number[]): MappingRow[] {
  const ranges: [number, number][] = [];
  for (let i = 0; i < log.length; i += 2) ranges.push([log[i]!, log[i]! + log[i + 1]!]);
  ranges.sort((a, b) => a[0] - b[0]);
  const out = new MappingCoalescer(root.noAdPredicates);
  let done = -1; // everything below has been listed
  for (const [start, end] of ranges) {
    const from = Math.max(start, done);
    if (from >= end) continue;
    forEachTdpPte(root.table, 1, from, end, (iter) => {
      const spte = iter.oldSpte;
      if (iter.gfn < from) return; // a huge leaf begun before: listed with its own range
      if (isMmioSpte(spte) || (isShadowPresent(spte) && isLastSpte(spte, iter.level))) out.add(iter.gfn, iter.level, spte);
    });
    done = end;
  }
  return out.finish();
}
