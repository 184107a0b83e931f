// The stage-2 page table (arch/arm64/kvm/hyp/pgtable.c, asm/kvm_pgtable.h, stage2_pgtable.h)
// for one granule: geometry from the IPA size, tables of 2^(PAGE_SHIFT-3) descriptors, the
// shared leaf walk (kvm_pgtable_get_leaf), the map walker (leaf, table pre-visit that turns a
// table into a block), unmap and write-protect. Every descriptor write goes through
// stage2SetPte, which keeps the root's counts equal to the tree.
//
// A descriptor is one exact integer in a double: PA (a multiple of 4K) plus the low 12 bits.
// Bits [10:0] are the hardware's (valid, type, MemAttr, S2AP, SH, AF); bit 11 holds XN,
// which the hardware keeps at bit 54, so the hot path never leaves 2^53. s2Descriptor()
// renders the real 64-bit value.

import { hex } from '../u64.js';
import type { Hex } from '../types.js';

/** Host page sizes (= stage-2 granules) as PAGE_SHIFT. */
export type Granule = '4K' | '16K' | '64K';
export const GRANULE_SHIFT: Record<Granule, number> = { '4K': 12, '16K': 14, '64K': 16 };

/** Host mapping sizes in 4K frames per granule (PAGE, CONT_PTE, PMD, CONT_PMD, PUD; asm/pgtable-hwdef.h, Kconfig). */
export interface HostSizes {
  page: number;
  contPte: number;
  pmd: number;
  contPmd: number;
  /** 0: pud_sect_supported() is false (16K/64K pages). */
  pud: number;
}
export const HOST_SIZES: Record<Granule, HostSizes> = {
  '4K': { page: 1, contPte: 16, pmd: 512, contPmd: 8192, pud: 262144 },
  '16K': { page: 4, contPte: 512, pmd: 8192, contPmd: 262144, pud: 0 },
  '64K': { page: 16, contPte: 512, pmd: 131072, contPmd: 4194304, pud: 0 },
};

/** Stage-2 geometry of one VM (kvm_init_ipa_range -> kvm_get_vtcr, kvm_pgd_pages). */
export interface S2Geometry {
  granule: Granule;
  pageShift: number;
  ipaBits: number;
  levels: number;
  startLevel: number;
  /** First-level tables concatenated into the pgd (1…16). */
  concatenated: number;
  /** Descriptors per table page: 2^(PAGE_SHIFT-3). */
  entries: number;
  /** KVM_PGTABLE_MIN_BLOCK_LEVEL: 1 with 4K pages, else 2. */
  minBlockLevel: number;
  /** 4K frames mapped by one entry at lookup level 0..3. */
  levelFrames: readonly number[];
}

/**
 * ALIGN_DOWN for power-of-two frame counts up to 2^31 (the largest asked for is a PUD block,
 * 1G = 2^18 frames): `&` keeps the low 32 bits of an exact integer (ToInt32 is modulo
 * 2^32), so x - (x & (n - 1)) is exact for any frame number.
 */
export const alignDown = (x: number, n: number): number => x - (x & (n - 1));

/** ARM64_HW_PGTABLE_LEVEL_SHIFT: (PAGE_SHIFT - 3) * (4 - level) + 3. */
export const levelShift = (pageShift: number, level: number): number => (pageShift - 3) * (4 - level) + 3;

/**
 * kvm_get_vtcr: levels = max(2, (ipa - 8) / (PAGE_SHIFT - 3)) because the hardware
 * concatenates up to 16 first-level tables (the stage-1 formula applied to ipa - 4);
 * start level = 4 - levels; kvm_pgd_pages: ((2^ipa - 1) >> shift(start - 1)) + 1.
 */
export function kvmGetVtcr(granule: Granule, ipaBits: number): S2Geometry {
  const pageShift = GRANULE_SHIFT[granule];
  const bpl = pageShift - 3;
  const levels = Math.max(2, Math.floor((ipaBits - 8) / bpl));
  const startLevel = 4 - levels;
  const concatenated = Number(((1n << BigInt(ipaBits)) - 1n) >> BigInt(levelShift(pageShift, startLevel - 1))) + 1;
  const levelFrames = [0, 1, 2, 3].map((l) => 2 ** (levelShift(pageShift, l) - 12));
  return { granule, pageShift, ipaBits, levels, startLevel, concatenated, entries: 2 ** bpl, minBlockLevel: granule === '4K' ? 1 : 2, levelFrames };
}

// Descriptor bits (kvm_pgtable.h: KVM_PTE_VALID, KVM_PTE_TYPE, KVM_PTE_LEAF_ATTR_LO_S2_*).
export const PTE_VALID = 1 << 0;
/** KVM_PTE_TYPE: 1 for a table (levels 0-2) or a page (level 3), 0 for a block. */
export const PTE_TYPE = 1 << 1;
export const MEMATTR_SHIFT = 2;
export const MEMATTR_MASK = 0xf << MEMATTR_SHIFT;
/** MT_S2_FWB_NORMAL (0b0110) and MT_S2_NORMAL (0b1111): Normal write-back (memory.h). */
export const MT_S2_FWB_NORMAL = 0b0110;
export const MT_S2_NORMAL = 0b1111;
export const S2AP_R = 1 << 6;
export const S2AP_W = 1 << 7;
export const SH_SHIFT = 8;
/** KVM_PTE_LEAF_ATTR_LO_S2_SH_IS: inner shareable. */
export const SH_IS = 3 << SH_SHIFT;
export const PTE_AF = 1 << 10;
/** KVM_PTE_LEAF_ATTR_HI_S2_XN lives at bit 54; the simulator keeps it at bit 11 (see the file comment). */
export const SIM_XN = 1 << 11;
const FLAG_SPAN = 4096;

/** The low 12 bits: `&` is exact on a descriptor, an integer below 2^53 (ToInt32 keeps the low 32 bits). */
export const pteFlags = (pte: number): number => pte & (FLAG_SPAN - 1);
/** The output address as a 4K frame. */
export const ptePaFrame = (pte: number): number => Math.floor(pte / FLAG_SPAN);
export const makePte = (paFrame: number, flags: number): number => paFrame * FLAG_SPAN + flags;
/** kvm_pte_valid: bit 0 (an empty entry is 0). */
export const pteValid = (pte: number): boolean => (pte & PTE_VALID) !== 0;

/** The 64-bit descriptor as the hardware holds it. */
export function s2Descriptor(pte: number): Hex {
  const f = pteFlags(pte);
  return hex((BigInt(ptePaFrame(pte)) << 12n) | BigInt(f & 0x7ff) | (f & SIM_XN ? 1n << 54n : 0n));
}

/**
 * stage2_set_prot_attr + kvm_init_valid_leaf_pte: the attributes of a new leaf, without the
 * type bit (the map walker adds it at level 3). AF is always set; SH inner-shareable (no LPA2).
 */
export function stage2LeafAttrs(writable: boolean, executable: boolean, fwb: boolean): number {
  let f = PTE_VALID | ((fwb ? MT_S2_FWB_NORMAL : MT_S2_NORMAL) << MEMATTR_SHIFT) | S2AP_R | SH_IS | PTE_AF;
  if (writable) f |= S2AP_W;
  if (!executable) f |= SIM_XN;
  return f;
}

/** Descriptor arrays are carved from shared slabs (one ArrayBuffer per SLAB_TABLES tables), keyed by table size. */
const SLAB_TABLES = 32;
const slabs = new Map<number, { buf: Float64Array; next: number }>();
function allocPtes(entries: number): Float64Array {
  let s = slabs.get(entries);
  if (!s || s.next === s.buf.length) {
    s = { buf: new Float64Array(entries * SLAB_TABLES), next: 0 };
    slabs.set(entries, s);
  }
  const a = s.buf.subarray(s.next, s.next + entries);
  s.next += entries;
  return a;
}

/** One table page (or, at the first level, the concatenated pgd pages as one array). */
export class S2Table {
  readonly ptes: Float64Array;
  readonly children: (S2Table | undefined)[] | null;
  /** 1 / span, exact for a power of two: the index is a multiplication, not a division. */
  readonly perFrame: number;
  constructor(
    readonly level: number,
    /** 4K frames one entry maps (the level's granule). */
    readonly span: number,
    /** First 4K gfn this table maps. */
    readonly baseGfn: number,
    /** The table page's output address as a 4K frame (appears in the parent's descriptor). */
    readonly paFrame: number,
    entries: number,
  ) {
    this.ptes = allocPtes(entries);
    this.perFrame = 1 / span;
    this.children = level < 3 ? new Array<S2Table | undefined>(entries) : null;
  }
}

/** Leaves per lookup level (index 1..3) and table pages: equal to the tree after every write. */
export interface S2Counts {
  leaves: number[];
  tables: number;
}

export type S2Kind = 's2-canonical' | 's2-nested';

/** Table pages come from the VM: sequential output addresses, and a byte budget (ENOMEM past it). */
export interface S2TableAllocator {
  /** Returns the new table page's frame, or -1 when the budget is spent. */
  alloc(pages: number): number;
  free(pages: number): void;
}

/** A stage-2 MMU's page table (struct kvm_s2_mmu + struct kvm_pgtable). */
export class S2Root {
  readonly pgd: S2Table;
  readonly counts: S2Counts;
  /**
   * The last level-3 table a walk reached and the gfns it maps, [lastBase, lastEnd): the next
   * fault in it skips the descent. Emptied whenever a table is unlinked (its path may be stale).
   */
  private lastTable: S2Table | null = null;
  private lastBase = 0;
  private lastEnd = 0;
  /** 4K frames one level-3 table maps. */
  private readonly l3Frames: number;

  constructor(
    readonly id: string,
    readonly kind: S2Kind,
    readonly geo: S2Geometry,
    readonly allocator: S2TableAllocator,
  ) {
    // kvm_init_stage2_mmu: the pgd (every concatenated page) exists from creation.
    const frame = allocator.alloc(geo.concatenated);
    this.pgd = new S2Table(geo.startLevel, geo.levelFrames[geo.startLevel]!, 0, frame, geo.entries * geo.concatenated);
    this.counts = { leaves: [0, 0, 0, 0], tables: geo.concatenated };
    this.l3Frames = geo.levelFrames[2]!;
  }

  /** The level-3 table covering gfn if the last walk's path is still linked. */
  cachedTable(gfn: number): S2Table | null {
    return gfn >= this.lastBase && gfn < this.lastEnd ? this.lastTable : null;
  }

  remember(t: S2Table): void {
    this.lastTable = t;
    this.lastBase = t.baseGfn;
    this.lastEnd = t.baseGfn + this.l3Frames;
  }

  forget(): void {
    this.lastTable = null;
    this.lastEnd = this.lastBase = 0;
  }
}

/** Index of the entry covering gfn in table t (at the first level the concatenated pages count as one table). */
export const pteIndex = (t: S2Table, gfn: number): number => Math.floor((gfn - t.baseGfn) * t.perFrame);

/** Walk state as a plain struct (struct kvm_pgtable_walk_data, reduced). */
export interface S2Walk {
  table: S2Table;
  index: number;
  level: number;
  pte: number;
}

export const newWalk = (root: S2Root): S2Walk => ({ table: root.pgd, index: 0, level: root.geo.startLevel, pte: 0 });

/**
 * kvm_pgtable_get_leaf (KVM_PGTABLE_WALK_SHARED): descend while entries are valid table
 * descriptors; report the entry where the walk stopped and its level. The caller checks
 * gpa < 2^ipaBits (-ERANGE otherwise).
 */
export function kvmPgtableGetLeaf(root: S2Root, gfn: number, w: S2Walk): void {
  let t: S2Table | null = root.cachedTable(gfn);
  if (t === null) {
    t = root.pgd;
    for (;;) {
      const i = pteIndex(t, gfn);
      const child: S2Table | undefined = t.level < 3 ? t.children![i] : undefined;
      if (child === undefined) break;
      t = child;
    }
    if (t.level === 3) root.remember(t);
  }
  const i = pteIndex(t, gfn);
  w.table = t;
  w.level = t.level;
  w.index = i;
  w.pte = t.ptes[i]!;
}

/**
 * The one funnel for descriptor writes: stores `pte` and keeps the counts. Replacing a table
 * descriptor unlinks its subtree (stage2_map_walk_table_pre / stage2_put_pte), whose leaves
 * and pages leave the counts.
 */
export function stage2SetPte(root: S2Root, t: S2Table, index: number, paFrame: number, flags: number, child: S2Table | undefined): void {
  // The new descriptor arrives as its two small parts, so no double crosses a call (no boxing per leaf).
  const old = t.ptes[index]!;
  if (t.children === null) {
    // A level-3 table holds only pages.
    if (pteValid(old)) root.counts.leaves[3]!--;
    t.ptes[index] = makePte(paFrame, flags);
    if (flags & PTE_VALID) root.counts.leaves[3]!++;
    return;
  }
  const oldChild = t.children[index];
  if (oldChild) {
    freeSubtree(root, oldChild);
    root.forget();
  } else if (pteValid(old)) root.counts.leaves[t.level]!--;
  t.children[index] = child;
  t.ptes[index] = makePte(paFrame, flags);
  if (child) root.counts.tables++;
  else if (flags & PTE_VALID) root.counts.leaves[t.level]!++;
}

function freeSubtree(root: S2Root, t: S2Table): void {
  for (let i = 0; i < t.ptes.length; i++) {
    const c = t.children?.[i];
    if (c) freeSubtree(root, c);
    else if (pteValid(t.ptes[i]!)) root.counts.leaves[t.level]!--;
  }
  root.counts.tables--;
  root.allocator.free(1);
}

/**
 * kvm_pgtable_stage2_map for one naturally aligned block of `frames` at `gfn`: walk down,
 * allocating tables, to the level whose entries map `frames`, and write the leaf there. A
 * table already at that level is replaced by the block (stage2_map_walk_table_pre). A size
 * larger than the first level's entries is installed as that many first-level blocks
 * (the map walker visits each). Returns 0 or ENOMEM (the caller's errno).
 */
export function kvmPgtableStage2Map(root: S2Root, gfn: number, frames: number, paFrame: number, attrs: number, ENOMEM: number): number {
  const geo = root.geo;
  const top = geo.levelFrames[geo.startLevel]!;
  if (frames > top) {
    for (let off = 0; off < frames; off += top) {
      const r = kvmPgtableStage2Map(root, gfn + off, top, paFrame + off, attrs, ENOMEM);
      if (r < 0) return r;
    }
    return 0;
  }
  if (frames === geo.levelFrames[3]) {
    // A page in the last walk's level-3 table: no descent (the path is still linked).
    const last = root.cachedTable(gfn);
    if (last !== null) {
      stage2SetPte(root, last, pteIndex(last, gfn), paFrame, attrs | PTE_TYPE, undefined);
      return 0;
    }
  }
  let t = root.pgd;
  for (;;) {
    const i = pteIndex(t, gfn);
    if (geo.levelFrames[t.level] === frames) {
      stage2SetPte(root, t, i, paFrame, t.level === 3 ? attrs | PTE_TYPE : attrs, undefined);
      return 0;
    }
    let child = t.children![i];
    if (child === undefined) {
      // An invalid entry (or, unreachable from a pre-fault, a larger block) becomes a table.
      const frame = root.allocator.alloc(1);
      if (frame < 0) return ENOMEM;
      const base = t.baseGfn + i * geo.levelFrames[t.level]!;
      child = new S2Table(t.level + 1, geo.levelFrames[t.level + 1]!, base, frame, geo.entries);
      stage2SetPte(root, t, i, child.paFrame, PTE_VALID | PTE_TYPE, child);
    }
    t = child;
    if (t.level === 3) root.remember(t);
  }
}

/** Visit the leaves intersecting [start, end) in gfn order: (table, index, gfn, level, pte). */
export function forEachLeaf(
  root: S2Root,
  start: number,
  end: number,
  visit: (t: S2Table, i: number, gfn: number, level: number, pte: number) => void,
): void {
  const geo = root.geo;
  const rec = (t: S2Table): void => {
    const span = geo.levelFrames[t.level]!;
    const first = Math.max(0, Math.floor((start - t.baseGfn) / span));
    for (let i = first; i < t.ptes.length; i++) {
      const g = t.baseGfn + i * span;
      if (g >= end) return;
      const c = t.children?.[i];
      if (c) rec(c);
      else if (pteValid(t.ptes[i]!)) visit(t, i, g, t.level, t.ptes[i]!);
    }
  };
  rec(root.pgd);
}

/** kvm_pgtable_stage2_unmap over [start, end): leaves are cleared, tables stay. */
export function kvmPgtableStage2Unmap(root: S2Root, start: number, end: number): void {
  forEachLeaf(root, start, end, (t, i) => stage2SetPte(root, t, i, 0, 0, undefined));
}

/** kvm_pgtable_stage2_wrprotect over [start, end): S2AP W cleared on every leaf. */
export function kvmPgtableStage2Wrprotect(root: S2Root, start: number, end: number): void {
  forEachLeaf(root, start, end, (t, i, _g, _l, pte) => {
    const f = pteFlags(pte);
    if (f & S2AP_W) stage2SetPte(root, t, i, ptePaFrame(pte), f & ~S2AP_W, undefined);
  });
}
