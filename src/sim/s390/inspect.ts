// Read-only views of the s390 gmap (contract v2 "Page tables"): the root row with counts,
// coalesced mapping rows with the entry's bits, and a walk naming each table.

import type { ArchLevelName } from '../arch-types.js';
import { ArchMappingCoalescer, type LeafWords } from '../generic-prefault.js';
import { gfnToHex, hex, parseU64 } from '../u64.js';
import {
  E_D,
  E_I,
  E_IEP,
  E_P,
  E_PR,
  E_S,
  E_SD,
  E_W,
  E_Y,
  LEVEL_FRAMES,
  TABLE_NAMES,
  entryFlags,
  entryOrigin,
  isLeafEntry,
  s390EntryValue,
} from './dat.js';
import type { Gmap } from './gmap.js';
import type { S390State } from './state.js';
import type { S390ArchBits, S390MappingRow, S390RootRef, S390RootView, S390WalkResult, S390WalkStep } from './types.js';

/** Leaf sizes by table level: PTE, segment (FC), region-3 (FC); no other level holds a leaf. */
const LEAF_NAMES: ArchLevelName[] = ['4K', '1M', '2G'];
export const levelName = (level: number): ArchLevelName => LEAF_NAMES[level - 1]!;

/** State words (contract v2): writable = P clear, executable = IEP clear, accessed = soft Y, dirty = soft D. */
export function decodeEntry(f: number): LeafWords<S390ArchBits> {
  const b = (m: number): boolean => (f & m) !== 0;
  return {
    writable: !b(E_P),
    executable: !b(E_IEP),
    accessed: b(E_Y),
    dirty: b(E_D),
    archBits: { i: b(E_I), p: b(E_P), iep: b(E_IEP), pr: b(E_PR), y: b(E_Y), w: b(E_W), d: b(E_D), sd: b(E_SD), s: b(E_S) },
  };
}

export function s390RootRef(gmap: Gmap): S390RootRef {
  return {
    id: gmap.id,
    level: gmap.dat.rootLevel,
    smm: false,
    guestMode: false,
    addressSpace: 0,
    adDisabled: false,
    mirror: false,
    kind: 'gmap',
    asceType: gmap.asceType,
  };
}

/** GET …/roots: the one gmap, shared by every vCPU; none on a UCONTROL VM. */
export function s390Roots(state: S390State): S390RootView[] {
  const g = state.gmap;
  if (!g) return [];
  const l = g.dat.counts.leaves;
  return [
    {
      ...s390RootRef(g),
      vcpus: [...state.vcpus].sort((a, b) => a - b),
      counts: { '4K': l[1]!, '1M': l[2]!, '2G': l[3]!, tables: g.dat.counts.tables },
    },
  ];
}

export function s390Mappings(gmap: Gmap, start = 0, end = Infinity): S390MappingRow[] {
  const c = new ArchMappingCoalescer(decodeEntry, 1);
  gmap.dat.forEachLeaf(start, end, (t, _i, gfn, e) => c.add(gfn, LEVEL_FRAMES[t.level]!, levelName(t.level), entryOrigin(e), entryFlags(e)));
  return c.finish();
}

function oneLeaf(gfn: number, level: number, e: number): S390MappingRow {
  const c = new ArchMappingCoalescer(decodeEntry, 1);
  c.add(gfn, LEVEL_FRAMES[level]!, levelName(level), entryOrigin(e), entryFlags(e));
  return c.finish()[0]!;
}

/** GET …/walk: the entry of each table from the ASCE's top table down to a leaf or an empty entry. */
export function s390Walk(gmap: Gmap, gpaHex: string): S390WalkResult {
  const gpa = parseU64(gpaHex, 'gpa');
  const gfn = Number(gpa >> 12n);
  const steps: S390WalkStep[] = [];
  let leafLevel: ArchLevelName | null = null;
  if (gmap.dat.contains(gfn)) {
    let t = gmap.dat.root;
    for (;;) {
      const i = t.index(gfn);
      const e = t.entries[i]!;
      const child = t.children?.[i];
      const leaf = isLeafEntry(e, t.level);
      steps.push({
        level: t.level,
        table: TABLE_NAMES[t.level]!,
        index: i,
        gpaBase: gfnToHex(t.baseGfn + i * LEVEL_FRAMES[t.level]!),
        spte: s390EntryValue(e, t.level),
        present: e !== 0,
        leaf,
        mapping: leaf ? oneLeaf(t.baseGfn + i * LEVEL_FRAMES[t.level]!, t.level, e) : null,
      });
      if (leaf) leafLevel = levelName(t.level);
      if (!child) break;
      t = child;
    }
  }
  return { root: s390RootRef(gmap), gpa: hex(gpa), steps, leafLevel };
}
