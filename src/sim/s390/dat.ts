// DAT tables of the s390 gmap (arch/s390/kvm/dat.{c,h}): region-1/2/3 and segment tables of
// 2048 entries, page tables of 256; entries as "union pte" / "union crste"; the leaf walk
// (dat_entry_walk with DAT_WALK_LEAF) and the one funnel every entry write goes through.
//
// An entry is one exact integer in a double: the origin (a 4K frame) * 4096 plus 12 flag
// bits: the hardware invalid (I), DAT-protection (P), instruction-execution-protection (IEP)
// and format-control (FC, large CRSTE) bits, KVM's soft bits (present, young, writable,
// dirty, soft-dirty, special) and a table-pointer marker. 0 is an empty entry.

import { hex } from '../u64.js';
import type { Hex } from '../types.js';

/** Table levels, "1 = smallest page": page 1, segment 2, region-3 3, region-2 4, region-1 5. */
export const TABLE_NAMES = ['', 'page', 'segment', 'region3', 'region2', 'region1'] as const;
export type TableName = (typeof TABLE_NAMES)[number];
/** 4K frames mapped by one entry at each level: 4K, 1M, 2G, 4T, 8P. */
export const LEVEL_FRAMES = [0, 1, 2 ** 8, 2 ** 19, 2 ** 30, 2 ** 41] as const;
/** Entries per table: page tables 256 (8 index bits), region and segment tables 2048 (11 bits). */
export const tableEntries = (level: number): number => (level === 1 ? 256 : 2048);

export const E_I = 1 << 0;
export const E_P = 1 << 1;
export const E_IEP = 1 << 2;
/** _crste_fc1: a large leaf (segment 1M or region-3 2G). */
export const E_FC = 1 << 3;
export const E_PR = 1 << 4;
export const E_Y = 1 << 5;
export const E_W = 1 << 6;
export const E_D = 1 << 7;
export const E_SD = 1 << 8;
export const E_S = 1 << 9;
/** A CRSTE pointing to a lower table (simulator marker; the hardware tells it by FC = 0). */
export const E_TABLE = 1 << 10;
const FLAG_SPAN = 4096;

export const entryFlags = (e: number): number => e - Math.floor(e / FLAG_SPAN) * FLAG_SPAN;
export const entryOrigin = (e: number): number => Math.floor(e / FLAG_SPAN);
export const makeEntry = (originFrame: number, flags: number): number => originFrame * FLAG_SPAN + flags;
/** A leaf (PTE, or CRSTE with FC) that software considers present, valid or aged. */
export const isLeafEntry = (e: number, level: number): boolean => e !== 0 && (level === 1 || (entryFlags(e) & E_FC) !== 0);

/**
 * The entry as a 64-bit value, laid out as dat.h's unions (s390 bitfields are MSB first).
 * PTE: hardware I 0x400, P 0x200, IEP 0x100; soft byte s 0x40, w 0x20, d 0x08, y 0x04,
 * sd 0x02, pr 0x01 (union pte .s). CRSTE: FC 0x400, P 0x200, IEP 0x100, I 0x20, TT bits
 * 3-2; with FC=1 the soft bits w 0x8000, d 0x2000, y 0x1000, sd 0x02, pr 0x01 (.s.fc1); with FC=0
 * a region entry also has TL 0x3 (bits 1-0).
 * An empty entry is the _PTE_EMPTY / _CRSTE_EMPTY token: I set (and TT for a CRSTE).
 */
export function s390EntryValue(e: number, level: number): Hex {
  if (e === 0) return hex(level === 1 ? 0x400 : 0x20 | ttBits(level));
  const f = entryFlags(e);
  const b = (m: number, v: number): number => (f & m ? v : 0);
  let v = BigInt(entryOrigin(e)) << 12n;
  if (level === 1)
    v |= BigInt(
      b(E_I, 0x400) | b(E_P, 0x200) | b(E_IEP, 0x100) | b(E_S, 0x40) | b(E_W, 0x20) | b(E_D, 0x8) | b(E_Y, 0x4) | b(E_SD, 0x2) | b(E_PR, 0x1),
    );
  else if (f & E_FC)
    v |= BigInt(
      0x400 |
        b(E_P, 0x200) |
        b(E_IEP, 0x100) |
        b(E_I, 0x20) |
        ttBits(level) |
        b(E_W, 0x8000) |
        b(E_D, 0x2000) |
        b(E_Y, 0x1000) |
        b(E_SD, 0x2) |
        b(E_PR, 0x1),
    );
  else v |= BigInt(b(E_I, 0x20) | ttBits(level) | (level > 2 ? REGION_ENTRY_LENGTH : 0));
  return hex(v);
}

/** TL of a region entry pointing to a full 2048-entry table (_REGION_ENTRY_LENGTH, set by dat_split_crste); segment entries have none (dat_split_ste). */
const REGION_ENTRY_LENGTH = 0x3;

/** The table-type field of a region/segment entry: segment 0b00, region-3 0b01, region-2 0b10, region-1 0b11. */
const ttBits = (level: number): number => (level - 2) << 2;

/** One DAT table. */
export class DatTable {
  readonly entries: Float64Array;
  readonly children: (DatTable | undefined)[] | null;
  constructor(
    readonly level: number,
    readonly baseGfn: number,
    readonly originFrame: number,
  ) {
    this.entries = new Float64Array(tableEntries(level));
    this.children = level > 1 ? new Array<DatTable | undefined>(this.entries.length) : null;
  }

  index(gfn: number): number {
    return Math.floor((gfn - this.baseGfn) / LEVEL_FRAMES[this.level]!);
  }
}

export interface DatCounts {
  /** Leaves per level 1 (4K), 2 (1M), 3 (2G). */
  leaves: number[];
  tables: number;
}

/** dat_entry_walk state as a plain struct. */
export interface DatWalk {
  /** Null until the first walk. */
  table: DatTable | null;
  index: number;
  level: number;
  entry: number;
}

export interface DatAllocator {
  /** The new table's first host frame, or -1 when the table budget is spent. */
  alloc(level: number): number;
}

/** The gmap's DAT tree with its counts. */
export class DatTree {
  readonly root: DatTable;
  readonly counts: DatCounts;

  constructor(
    readonly rootLevel: number,
    readonly allocator: DatAllocator,
  ) {
    this.root = new DatTable(rootLevel, 0, allocator.alloc(rootLevel));
    this.counts = { leaves: [0, 0, 0, 0], tables: 1 };
  }

  /** asce_contains_gfn: the gfn lies below asce_end, the reach of the top table's 2048 entries. */
  contains(gfn: number): boolean {
    return gfn < LEVEL_FRAMES[this.rootLevel]! * 2048;
  }

  /**
   * dat_entry_walk(DAT_WALK_LEAF): descend through table pointers to the entry covering gfn
   * that is a leaf (PTE or large CRSTE) or has nothing below it.
   */
  walk(gfn: number, w: DatWalk): void {
    let t: DatTable = this.root;
    for (;;) {
      const i = t.index(gfn);
      const child: DatTable | undefined = t.children?.[i];
      if (child === undefined) {
        w.table = t;
        w.index = i;
        w.level = t.level;
        w.entry = t.entries[i]!;
        return;
      }
      t = child;
    }
  }

  /** Walk allocating tables down to `level`, stopping early at an existing large leaf. Returns the table or -1 (ENOMEM). */
  tableFor(gfn: number, level: number): DatTable | -1 {
    let t: DatTable = this.root;
    while (t.level > level) {
      const i = t.index(gfn);
      let child = t.children![i];
      if (child === undefined) {
        const origin = this.allocator.alloc(t.level - 1);
        if (origin === -1) return -1;
        child = new DatTable(t.level - 1, t.baseGfn + i * LEVEL_FRAMES[t.level]!, origin);
        this.set(t, i, makeEntry(origin, E_TABLE), child);
      }
      t = child;
    }
    return t;
  }

  /**
   * The one funnel: write entry i of t (and its child pointer), keeping the counts equal to the tree.
   * A table pointer is never overwritten: the read fault-in continues below it (DAT_WALK_CONTINUE)
   * and an unmap clears leaves only, so tables live as long as the gmap (dat_free_level at dispose).
   */
  set(t: DatTable, i: number, e: number, child: DatTable | undefined): void {
    if (isLeafEntry(t.entries[i]!, t.level)) this.counts.leaves[t.level]!--;
    t.entries[i] = e;
    if (child) {
      t.children![i] = child;
      this.counts.tables++;
    } else if (isLeafEntry(e, t.level)) this.counts.leaves[t.level]!++;
  }

  /** Visit the leaves intersecting [start, end) in gfn order. */
  forEachLeaf(start: number, end: number, visit: (t: DatTable, i: number, gfn: number, e: number) => void): void {
    const rec = (t: DatTable): void => {
      const span = LEVEL_FRAMES[t.level]!;
      for (let i = Math.max(0, Math.floor((start - t.baseGfn) / span)); i < t.entries.length; i++) {
        const g = t.baseGfn + i * span;
        if (g >= end) return;
        const c = t.children?.[i];
        if (c) rec(c);
        else if (isLeafEntry(t.entries[i]!, t.level)) visit(t, i, g, t.entries[i]!);
      }
    };
    rec(this.root);
  }
}
