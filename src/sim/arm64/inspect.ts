// Read-only views of the arm64 stage-2 (contract v2 "Page tables"): root rows with counts,
// coalesced mapping rows with the descriptor's bits, and a walk decoding each level. Nothing
// here changes state (the walk goes through the same tables kvm_pgtable_get_leaf reads).

import type { ArchLevelName } from '../arch-types.js';
import { ArchMappingCoalescer, type LeafWords } from '../generic-prefault.js';
import { LEVEL_BYTES } from '../generic-memslots.js';
import { gfnToHex, hex, parseU64 } from '../u64.js';
import {
  MEMATTR_MASK,
  MEMATTR_SHIFT,
  PTE_AF,
  S2AP_R,
  S2AP_W,
  SH_SHIFT,
  SIM_XN,
  forEachLeaf,
  pteFlags,
  pteIndex,
  ptePaFrame,
  pteValid,
  s2Descriptor,
  type S2Root,
} from './pgtable.js';
import type { Arm64State } from './state.js';
import type { Arm64ArchBits, Arm64MappingRow, Arm64RootRef, Arm64RootView, Arm64WalkResult, Arm64WalkStep } from './types.js';

const NAME_BY_FRAMES = new Map<number, ArchLevelName>(Object.entries(LEVEL_BYTES).map(([n, b]) => [b / 4096, n as ArchLevelName]));

/** The same names indexed by Math.clz32(frames) (2^(31-z) frames): a size name on the hot path is one array load. */
const NAME_BY_CLZ: (ArchLevelName | undefined)[] = Array.from({ length: 32 }, (_, z) => NAME_BY_FRAMES.get(2 ** (31 - z)));

/** The contract level name of a mapping size in 4K frames. */
export function sizeName(frames: number): ArchLevelName {
  const n = frames > 0 && frames < 2 ** 31 && (frames & (frames - 1)) === 0 ? NAME_BY_CLZ[Math.clz32(frames)] : NAME_BY_FRAMES.get(frames);
  if (!n) throw new Error(`no level name for ${frames} frames`);
  return n;
}

/** The state words and archBits of a leaf (contract v2 mapping rows: dirty is null, DBM is never set). */
export function decodeLeaf(flags: number): LeafWords<Arm64ArchBits> {
  return {
    writable: (flags & S2AP_W) !== 0,
    executable: (flags & SIM_XN) === 0,
    accessed: (flags & PTE_AF) !== 0,
    dirty: null,
    archBits: {
      memAttr: (flags & MEMATTR_MASK) >> MEMATTR_SHIFT,
      s2apR: (flags & S2AP_R) !== 0,
      s2apW: (flags & S2AP_W) !== 0,
      sh: (flags >> SH_SHIFT) & 3,
      af: (flags & PTE_AF) !== 0,
      xn: (flags & SIM_XN) !== 0,
    },
  };
}

export function rootRef(root: S2Root): Arm64RootRef {
  const g = root.geo;
  return {
    id: root.id,
    level: g.levels,
    smm: false,
    guestMode: root.kind === 's2-nested',
    addressSpace: 0,
    adDisabled: false,
    mirror: false,
    kind: root.kind,
    startLevel: g.startLevel,
    granule: g.granule,
    ipaBits: g.ipaBits,
    concatenatedTables: g.concatenated,
  };
}

/** The leaf levels of a geometry, small to large, with their names. */
export function leafLevels(root: S2Root): { level: number; name: ArchLevelName }[] {
  const out: { level: number; name: ArchLevelName }[] = [];
  // kvm_block_mapping_supported: pages at L3, blocks down to KVM_PGTABLE_MIN_BLOCK_LEVEL.
  for (let l = 3; l >= root.geo.minBlockLevel; l--) out.push({ level: l, name: sizeName(root.geo.levelFrames[l]!) });
  return out;
}

/** GET …/roots: the canonical stage-2 (all vCPUs that do not run nested) and each vCPU's nested one. */
export function arm64Roots(state: Arm64State): Arm64RootView[] {
  const vcpus = [...state.vcpus.values()].sort((a, b) => a.id - b.id);
  const view = (root: S2Root, ids: number[]): Arm64RootView => {
    const counts: Record<string, number> = {};
    for (const { level, name } of leafLevels(root)) counts[name] = root.counts.leaves[level]!;
    counts.tables = root.counts.tables;
    return { ...rootRef(root), vcpus: ids, counts };
  };
  const out = [
    view(
      state.canonical,
      vcpus.filter((v) => !v.nested).map((v) => v.id),
    ),
  ];
  for (const v of vcpus) if (v.nested) out.push(view(v.nested, [v.id]));
  return out;
}

/** The coalesced leaves of a root in [start, end) (4K gfns). */
export function arm64Mappings(root: S2Root, pageFrames: number, start = 0, end = Infinity): Arm64MappingRow[] {
  const c = new ArchMappingCoalescer(decodeLeaf, pageFrames);
  const frames = root.geo.levelFrames;
  forEachLeaf(root, start, end, (_t, _i, gfn, level, pte) => c.add(gfn, frames[level]!, sizeName(frames[level]!), ptePaFrame(pte), pteFlags(pte)));
  return c.finish();
}

function oneLeaf(gfn: number, frames: number, pte: number, pageFrames: number): Arm64MappingRow {
  const c = new ArchMappingCoalescer(decodeLeaf, pageFrames);
  c.add(gfn, frames, sizeName(frames), ptePaFrame(pte), pteFlags(pte));
  return c.finish()[0]!;
}

/** GET …/walk: every descriptor from the first level down to the leaf or the first invalid entry. */
export function arm64Walk(root: S2Root, gpaHex: string): Arm64WalkResult {
  const gpa = parseU64(gpaHex, 'gpa');
  const geo = root.geo;
  const gfn = Number(gpa >> 12n);
  const steps: Arm64WalkStep[] = [];
  let leafLevel: ArchLevelName | null = null;
  if (gpa >> BigInt(geo.ipaBits) === 0n) {
    let t = root.pgd;
    for (;;) {
      const i = pteIndex(t, gfn);
      const pte = t.ptes[i]!;
      const child = t.children?.[i];
      const present = pteValid(pte);
      const leaf = present && !child;
      steps.push({
        level: 4 - t.level,
        lookupLevel: t.level,
        index: i,
        gpaBase: gfnToHex(t.baseGfn + i * geo.levelFrames[t.level]!),
        spte: present ? s2Descriptor(pte) : hex(0),
        present,
        leaf,
        mapping: leaf ? oneLeaf(t.baseGfn + i * geo.levelFrames[t.level]!, geo.levelFrames[t.level]!, pte, geo.levelFrames[3]!) : null,
      });
      if (leaf) leafLevel = sizeName(geo.levelFrames[t.level]!);
      if (!child) break;
      t = child;
    }
  }
  return { root: rootRef(root), gpa: hex(gpa), steps, leafLevel };
}
