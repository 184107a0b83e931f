// Decodes a 64-bit SPTE the way KVM lays it out (arch/x86/kvm/mmu/spte.h): the hardware
// bits of the vendor's format (Intel EPT entries, AMD NPT = ordinary x86 PTEs) and KVM's
// software bits (host-/MMU-writable, the MMU-present marker, the A/D type, the R/X bits
// saved while access-tracked). An arm64 VM's stage-2 descriptor (`vendor` "arm64") is decoded
// as arch/arm64/include/asm/kvm_pgtable.h lays it out, and an s390 VM's DAT entry (`vendor`
// "s390") as arch/s390/kvm/dat.h's union pte / union crste lay it out. Pure functions: the
// walk panel and the tests use them.

const bit = (v, n) => (v >> BigInt(n)) & 1n;
const field = (v, lo, hi) => (v >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);

/** Hardware bits per vendor (Intel SDM "EPT paging-structure entries", AMD APM "PTE"). */
const HARDWARE = {
  ept: [
    { bit: 0, name: 'R', title: 'read access' },
    { bit: 1, name: 'W', title: 'write access' },
    { bit: 2, name: 'X', title: 'execute access (supervisor)' },
    { bits: [3, 5], name: 'MT', title: 'EPT memory type (leaf only; 6 = WB)', leafOnly: true },
    { bit: 6, name: 'IPAT', title: 'ignore guest PAT (leaf only)', leafOnly: true },
    { bit: 7, name: 'PS', title: 'page size: this entry maps a huge page (2M/1G)' },
    { bit: 8, name: 'A', title: 'accessed (when EPT A/D is enabled)' },
    { bit: 9, name: 'D', title: 'dirty (leaf, when EPT A/D is enabled)' },
    { bit: 10, name: 'XU', title: 'user-mode execute (mode-based execute control)' },
    { bit: 63, name: 'SVE', title: 'suppress #VE' },
  ],
  npt: [
    { bit: 0, name: 'P', title: 'present' },
    { bit: 1, name: 'RW', title: 'writable' },
    { bit: 2, name: 'US', title: 'user (NPT walks are user accesses: always 1)' },
    { bit: 3, name: 'PWT', title: 'page write-through' },
    { bit: 4, name: 'PCD', title: 'page cache disable' },
    { bit: 5, name: 'A', title: 'accessed' },
    { bit: 6, name: 'D', title: 'dirty (leaf)' },
    { bit: 7, name: 'PS', title: 'page size: this entry maps a huge page (2M/1G)' },
    { bit: 8, name: 'G', title: 'global' },
    { bit: 63, name: 'NX', title: 'no execute' },
  ],
  // kvm_pgtable.h: KVM_PTE_VALID, KVM_PTE_TYPE, KVM_PTE_LEAF_ATTR_LO_S2_* and _HI_S2_XN.
  s2: [
    { bit: 0, name: 'valid', title: 'KVM_PTE_VALID' },
    { bit: 1, name: 'type', title: 'KVM_PTE_TYPE: 1 = table (levels 0-2) or page (level 3), 0 = block' },
    { bits: [2, 5], name: 'MemAttr', title: 'S2 MemAttr (leaf only): 6 = Normal WB with FWB, 15 = Normal WB without', leafOnly: true },
    { bit: 6, name: 'S2AP R', title: 'stage-2 read permission (leaf only)', leafOnly: true },
    { bit: 7, name: 'S2AP W', title: 'stage-2 write permission (leaf only)', leafOnly: true },
    { bits: [8, 9], name: 'SH', title: 'shareability (leaf only): 3 = inner shareable', leafOnly: true },
    { bit: 10, name: 'AF', title: 'access flag (leaf only): a pre-fault sets it', leafOnly: true },
    { bit: 54, name: 'XN', title: 'execute never (leaf only): set unless the host has DIC', leafOnly: true },
  ],
};

/**
 * s390 DAT entries (arch/s390/kvm/dat.h, bits counted from the right here, 0 = 0x1): a page
 * table entry (union pte), a region/segment table entry pointing to a lower table, and a
 * large one (FC = 1: a 1M segment or 2G region-3 leaf, union crste .s.fc1). The hardware
 * bits first, KVM's software bits after (`sw`).
 */
const S390 = {
  pte: [
    { bit: 10, name: 'I', title: 'hardware page-invalid bit: 0 = the entry translates' },
    { bit: 9, name: 'P', title: 'DAT protection: a pre-fault sets it (not dirty yet), the first write clears it' },
    { bit: 8, name: 'IEP', title: 'instruction-execution protection' },
    { bit: 6, name: 'S', title: 'soft special: the pfn has no struct page (PFNMAP)', sw: true },
    { bit: 5, name: 'W', title: 'soft writable: the host mapping is writable', sw: true },
    { bit: 3, name: 'D', title: 'soft dirty: cleared by a read link', sw: true },
    { bit: 2, name: 'Y', title: 'soft young: set by the link', sw: true },
    { bit: 1, name: 'SD', title: 'soft-dirty (kept from the old entry)', sw: true },
    { bit: 0, name: 'PR', title: 'soft present', sw: true },
  ],
  table: [
    { bit: 10, name: 'FC', title: 'format control: 0 = points to a lower table' },
    { bit: 5, name: 'I', title: 'region/segment-invalid bit' },
    { bits: [2, 3], name: 'TT', title: 'table type: 0 segment, 1 region-3, 2 region-2, 3 region-1' },
  ],
  large: [
    { bit: 10, name: 'FC', title: 'format control: 1 = a large leaf (1M segment or 2G region-3)' },
    { bit: 9, name: 'P', title: 'DAT protection: a pre-fault sets it (not dirty yet)' },
    { bit: 8, name: 'IEP', title: 'instruction-execution protection' },
    { bit: 5, name: 'I', title: 'region/segment-invalid bit' },
    { bits: [2, 3], name: 'TT', title: 'table type: 0 segment, 1 region-3, 2 region-2, 3 region-1' },
    { bit: 15, name: 'W', title: 'soft writable: the host mapping is writable', sw: true },
    { bit: 13, name: 'D', title: 'soft dirty: cleared by a read link', sw: true },
    { bit: 12, name: 'Y', title: 'soft young: set by the link', sw: true },
    { bit: 1, name: 'SD', title: 'soft-dirty (kept from the old entry)', sw: true },
    { bit: 0, name: 'PR', title: 'soft present', sw: true },
  ],
};
/** The frame origin's lowest bit: a 4K PTE or table pointer 12, a 1M segment 20, a 2G region-3 31. */
const S390_ORIGIN = { 1: 12, 2: 20, 3: 31 };

/** KVM software bits (spte.h): EPT keeps them high because its low ignored bits are scarce. */
const SOFTWARE = {
  ept: [
    { bit: 11, name: 'MMU-present', title: 'SPTE_MMU_PRESENT_MASK: is_shadow_present_pte()' },
    {
      bits: [52, 53],
      name: 'A/D type',
      title: 'SPTE_TDP_AD_MASK: 0 enabled, 1 disabled (access tracking), 2 write-protect only',
      values: ['enabled', 'disabled', 'wrprot-only', '?'],
    },
    { bit: 54, name: 'saved R', title: 'SHADOW_ACC_TRACK_SAVED_BITS: R saved while access-tracked' },
    { bit: 56, name: 'saved X', title: 'SHADOW_ACC_TRACK_SAVED_BITS: X saved while access-tracked' },
    { bit: 57, name: 'host-writable', title: 'EPT_SPTE_HOST_WRITABLE: the host mapping (gup) is writable' },
    { bit: 58, name: 'MMU-writable', title: 'EPT_SPTE_MMU_WRITABLE: KVM allows W (not write-protected for dirty logging / shadow paging)' },
  ],
  npt: [
    { bit: 9, name: 'host-writable', title: 'DEFAULT_SPTE_HOST_WRITABLE: the host mapping (gup) is writable' },
    { bit: 10, name: 'MMU-writable', title: 'DEFAULT_SPTE_MMU_WRITABLE: KVM allows W (not write-protected)' },
    { bit: 11, name: 'MMU-present', title: 'SPTE_MMU_PRESENT_MASK: is_shadow_present_pte()' },
    {
      bits: [52, 53],
      name: 'A/D type',
      title: 'SPTE_TDP_AD_MASK (NPT always has A/D: normally 0)',
      values: ['enabled', 'disabled', 'wrprot-only', '?'],
    },
  ],
};

/** 'intel' -> EPT, 'arm64' -> the stage-2 descriptor, 's390' -> a DAT entry, anything else (amd) -> NPT. */
const layoutOf = (vendor) => ({ intel: 'ept', arm64: 's2', s390: 's390' })[vendor] ?? 'npt';

const LEAF_SIZE = { 1: '4K', 2: '2M', 3: '1G' };

/** Reads "0x..." (or a number) as a 64-bit BigInt; null when it is not one. */
function toU64(value) {
  try {
    return value === undefined || value === null ? null : BigInt(value) & ((1n << 64n) - 1n);
  } catch {
    return null;
  }
}

/** is_mmio_spte for the displayed layouts: EPT's W+X-without-R misconfiguration, NPT's reserved bit 51. */
function looksLikeMmio(v, layout) {
  if (v === 0n || layout === 's2' || layout === 's390') return false;
  return layout === 'ept' ? (v & 7n) === 6n : bit(v, 0) === 1n && bit(v, 51) === 1n;
}

/** Pushes one named field of `v` (a bit or a range) onto `fields`; leaf-only ones only on leaves. */
const fieldAdder = (v, leaf, fields) => (spec, kind) => {
  if (spec.leafOnly && !leaf) return;
  const [hi, lo] = spec.bits ? [spec.bits[1], spec.bits[0]] : [spec.bit, spec.bit];
  const raw = field(v, lo, hi);
  fields.push({
    name: spec.name,
    bits: hi === lo ? String(lo) : `${hi}:${lo}`,
    value: spec.values ? spec.values[Number(raw)] : Number(raw),
    set: raw !== 0n,
    kind,
    title: spec.title,
  });
};

/** An s390 entry: a PTE at level 1, a table pointer or a large (FC) leaf above; the origin its frame. */
function decodeS390(v, { leaf, level }) {
  const kind = level === 1 ? 'pte' : leaf ? 'large' : 'table';
  const fields = [];
  const add = fieldAdder(v, true, fields);
  for (const spec of S390[kind]) add(spec, spec.sw ? 'sw' : 'hw');
  const shift = BigInt(kind === 'large' ? (S390_ORIGIN[level] ?? 12) : 12);
  const hpa = (v >> shift) << shift;
  return { value: v, layout: 's390', mmio: false, fields, pfn: hpa >> 12n, hpa };
}

/**
 * Every named bit of the SPTE: { name, bits: 'hi:lo' | 'n', value, set, kind: 'hw'|'sw', title }.
 * Leaf-only hardware fields are skipped on table pointers, MMIO SPTEs get the generation.
 */
export function decodeSpte(spteValue, { vendor, leaf, level }) {
  const v = toU64(spteValue);
  if (v === null) return { value: null, fields: [], pfn: null, mmio: false };
  const layout = layoutOf(vendor);
  if (layout === 's390') return decodeS390(v, { leaf, level });
  const mmio = looksLikeMmio(v, layout);
  const fields = [];
  const add = fieldAdder(v, leaf, fields);
  for (const spec of HARDWARE[layout]) add(spec, 'hw');
  if (mmio) {
    // MMIO SPTEs reuse bits 3..10 and 52..62 for the memslot generation (spte.h).
    const gen = field(v, 3, 10) | (field(v, 52, 62) << 8n);
    fields.push({
      name: 'MMIO gen',
      bits: '62:52,10:3',
      value: Number(gen),
      set: true,
      kind: 'sw',
      title: 'MMIO generation (stale after a memslot change)',
    });
  } else for (const spec of SOFTWARE[layout] ?? []) add(spec, 'sw');
  if (layout === 's2') {
    // The output address, bits 47:12 (a block's and a 16K/64K page's low bits are zero).
    const hpa = v & 0xfffffffff000n;
    return { value: v, layout, mmio, fields, pfn: hpa >> 12n, hpa };
  }
  const pfn = field(v, 12, 51);
  // A huge leaf's address field starts at its size; bit 12 is PAT there on NPT.
  const shift = leaf && level > 1 ? BigInt(12 + 9 * (level - 1)) : 12n;
  const hpa = ((v & ((1n << 52n) - 1n)) >> shift) << shift;
  return { value: v, layout, mmio, fields, pfn, hpa };
}

/** What a walk step means, in words: where the walk goes next or why it stops. */
export function stepOutcome(step, decoded) {
  if (!step.present)
    return decoded?.mmio || step.mapping?.kind === 'mmio' ? 'MMIO SPTE: the access exits to KVM (walk stops)' : 'not present: the walk stops here';
  if (step.mapping?.kind === 'mmio' || decoded?.mmio) return 'MMIO SPTE: the access exits to KVM (walk stops)';
  if (step.leaf)
    return `leaf: maps a ${step.mapping?.level ?? LEAF_SIZE[step.level] ?? `level-${step.level}`} page at hpa 0x${decoded?.hpa?.toString(16) ?? '?'}`;
  return `table: next level at hpa 0x${decoded?.hpa?.toString(16) ?? '?'}`;
}
