// The VM's gmap (arch/s390/kvm/gmap/gmap.c): its ASCE type from the memory limit
// (gmap_new, gmap_limit_to_type), the minor-fault fixup of an existing leaf
// (gmap_try_fixup_minor), which level a new mapping gets (gmap_1m_allowed, gmap_2g_allowed)
// and the link itself (gmap_link / _gmap_link), and the unmap of a slot's range.

import { EAGAIN, ENOMEM } from '../errno.js';
import type { ArchMemslot } from '../generic-memslots.js';
import {
  DatTree,
  E_FC,
  E_I,
  E_P,
  E_PR,
  E_SD,
  E_W,
  E_Y,
  LEVEL_FRAMES,
  entryFlags,
  entryOrigin,
  isLeafEntry,
  makeEntry,
  type DatAllocator,
  type DatWalk,
} from './dat.js';
import type { AsceType } from './types.js';

const G2 = 2n ** 31n;
const T4 = 2n ** 42n;
const P8 = 2n ** 53n;

/** gmap_limit_to_type: the smallest ASCE type whose top table reaches the memory limit. */
export function gmapLimitToType(memLimit: bigint): AsceType {
  if (memLimit <= G2) return 'segment';
  if (memLimit <= T4) return 'region3';
  if (memLimit <= P8) return 'region2';
  return 'region1';
}

/** Table level of the ASCE's top table, and the address bits it reaches (contract guestPhysBits). */
export const ASCE_LEVEL: Record<AsceType, number> = { segment: 2, region3: 3, region2: 4, region1: 5 };
export const ASCE_BITS: Record<AsceType, number> = { segment: 31, region3: 42, region2: 53, region1: 64 };

export class Gmap {
  readonly dat: DatTree;
  constructor(
    readonly id: string,
    readonly asceType: AsceType,
    allocator: DatAllocator,
  ) {
    this.dat = new DatTree(ASCE_LEVEL[asceType], allocator);
  }
}

/** What the minor path found (gmap_try_fixup_minor): nothing usable, a valid leaf, or an aged leaf made young. */
export const MINOR_NONE = 0;
export const MINOR_VALID = 1;
export const MINOR_FIXED = 2;

/**
 * gmap_try_fixup_minor for a read: a valid PTE or large CRSTE is success with nothing
 * changed; one that is present but invalid because it was aged is made valid and young,
 * protection kept (gmap_handle_minor_crste_fault / _gmap_handle_minor_pte_fault).
 * Anything else (no entry, no table) goes to the slow path. Fills `w` with the leaf.
 */
export function gmapTryFixupMinor(gmap: Gmap, gfn: number, w: DatWalk): number {
  gmap.dat.walk(gfn, w);
  if (!isLeafEntry(w.entry, w.level)) return MINOR_NONE;
  const f = entryFlags(w.entry);
  if ((f & E_I) === 0) return MINOR_VALID;
  if ((f & E_PR) === 0) return MINOR_NONE;
  const young = makeEntry(entryOrigin(w.entry), (f & ~E_I) | E_Y);
  gmap.dat.set(w.table!, w.index, young, undefined);
  w.entry = young;
  return MINOR_FIXED;
}

/** kvm_s390_test_and_clear_young-style aging: the leaf stays present but invalid and old (used by tests of the minor path). */
export function gmapAge(gmap: Gmap, gfn: number, w: DatWalk): boolean {
  gmap.dat.walk(gfn, w);
  if (!isLeafEntry(w.entry, w.level)) return false;
  gmap.dat.set(w.table!, w.index, makeEntry(entryOrigin(w.entry), (entryFlags(w.entry) | E_I) & ~E_Y), undefined);
  return true;
}

/**
 * gmap_1m_allowed / gmap_2g_allowed (size S in frames): the VM flag, gfn and pfn congruent
 * modulo S, and the whole S-frame inside the memslot.
 */
export function gmapLargeAllowed(vmFlag: boolean, slot: ArchMemslot, gfn: number, pfn: number, frames: number): boolean {
  if (!vmFlag) return false;
  if (gfn % frames !== pfn % frames) return false;
  const start = gfn - (gfn % frames);
  return slot.baseGfn <= start && slot.baseGfn + slot.npages >= start + frames;
}

/** The leaf gmap_link installs, as the engine reports it. */
export interface LinkResult {
  level: number;
  gfn: number;
  origin: number;
  flags: number;
}

/**
 * gmap_link / _gmap_link for a read fault-in: walk (allocating) to the chosen level, but
 * continue to the PTE when that entry is already a table pointer (DAT_WALK_CONTINUE).
 * The new leaf (_pte / _crste_fc1): valid, DAT-protected, present, young, soft W = host
 * writability, D = 0, SD kept from the old entry (0 when new), S = 0 (every pfn here has a struct page).
 * An existing leaf with another origin answers EAGAIN. Returns 0, EAGAIN or ENOMEM.
 */
export function gmapLink(gmap: Gmap, gfn: number, pfn: number, level: number, writable: boolean, out: LinkResult): number {
  let target = level;
  if (level > 1) {
    const t = gmap.dat.tableFor(gfn, level);
    if (t === -1) return ENOMEM;
    if (t.children![t.index(gfn)] !== undefined) target = 1;
  }
  const t = gmap.dat.tableFor(gfn, target);
  if (t === -1) return ENOMEM;
  const i = t.index(gfn);
  const frames = LEVEL_FRAMES[target]!;
  const origin = pfn - (pfn % frames);
  const old = t.entries[i]!;
  if (isLeafEntry(old, target) && entryOrigin(old) !== origin) return EAGAIN;
  const flags = E_P | E_PR | E_Y | (writable ? E_W : 0) | (target > 1 ? E_FC : 0) | (entryFlags(old) & E_SD);
  gmap.dat.set(t, i, makeEntry(origin, flags), undefined);
  out.level = target;
  out.gfn = gfn - (gfn % frames);
  out.origin = origin;
  out.flags = flags;
  return 0;
}

/** gmap_unmap_gfn_range (dat_delete_slot on DELETE/MOVE): the slot's leaves go; tables stay. */
export function gmapUnmapRange(gmap: Gmap, start: number, end: number): void {
  gmap.dat.forEachLeaf(start, end, (t, i) => gmap.dat.set(t, i, 0, undefined));
}
