// SPTE encoding (arch/x86/kvm/mmu/spte.h). A simulated SPTE is one float64 holding an
// integer: pfn * 2^SPTE_FLAG_BITS + flags. With 9 flag bits a pfn may use 44 bits, enough
// for every host address below 2^56, and the whole value stays exact (< 2^53). The
// hardware layout (EPT vs NPT bit positions, KVM's software bits) is produced only for
// display and tracing, by `spteValue`, so the hot path never touches vendor differences.

export const SPTE_FLAG_BITS = 9;

/** is_shadow_present_pte: a leaf or a table pointer KVM considers present (SPTE_MMU_PRESENT_MASK). */
export const SPTE_PRESENT = 1 << 0;
/** PT_WRITABLE_MASK: the hardware W bit (is_writable_pte). Cleared by access tracking. */
export const SPTE_WRITABLE = 1 << 1;
/** The X permission; in an access-tracked SPTE it is the *saved* X (hardware X is clear). */
export const SPTE_EXECUTABLE = 1 << 2;
/** shadow_accessed_mask (EPT bit 8 / NPT bit 5). */
export const SPTE_ACCESSED = 1 << 3;
/** shadow_dirty_mask (EPT bit 9 / NPT bit 6). */
export const SPTE_DIRTY = 1 << 4;
/** PT_PAGE_SIZE_MASK: a huge leaf above 4K. */
export const SPTE_HUGE = 1 << 5;
/**
 * shadow_host_writable_mask and shadow_mmu_writable_mask. make_spte sets both from
 * host_writable with full TDP access, and only write tracking (not modelled) would set
 * them apart, so one bit holds both; the display shows both.
 */
export const SPTE_HOST_WRITABLE = 1 << 6;
/** Simulator bookkeeping, no hardware bit: the fault that installed it took the private path. */
export const SPTE_SIM_PRIVATE = 1 << 7;
/** mark_spte_for_access_track: R/X saved and cleared (W cleared, not saved): hardware-not-present. */
export const SPTE_ACCESS_TRACKED = 1 << 8;
/**
 * make_mmio_spte: W and X without R/present, the EPT misconfiguration pattern (0b110); no
 * leaf has W without present, so the pattern is unambiguous.
 */
export const SPTE_MMIO = SPTE_WRITABLE | SPTE_EXECUTABLE;

export const SHADOW_NONPRESENT = 0;

// FLAG_SPAN is written out as 512 (2 ** SPTE_FLAG_BITS) in the three helpers below: a literal
// lets the JIT turn the division into an exact multiplication by 1/512, which it cannot do
// through a module-level binding (a bundler turns `const` into a mutable `var`).
export const makeSpte = (pfn: number, flags: number): number => pfn * 512 + flags;
/** The low flag bits. A floor division by a power of two is exact and, unlike `%` on doubles (fmod), cheap. */
export const spteFlags = (spte: number): number => spte - Math.floor(spte / 512) * 512;

/** is_access_allowed (spte.h): a leaf with these flags permits the access as it stands. */
export function isAccessAllowed(flags: number, access: { write: boolean; exec: boolean }): boolean {
  if (flags & SPTE_ACCESS_TRACKED) return false;
  if (access.write && !(flags & SPTE_WRITABLE)) return false;
  if (access.exec && !(flags & SPTE_EXECUTABLE)) return false;
  return true;
}
export const sptePfn = (spte: number): number => Math.floor(spte / 512);

export const isShadowPresent = (spte: number): boolean => (spteFlags(spte) & SPTE_PRESENT) !== 0;
/** is_mmio_spte, on flags. */
export const isMmioFlags = (flags: number): boolean => (flags & (SPTE_PRESENT | SPTE_MMIO)) === SPTE_MMIO;
export const isMmioSpte = (spte: number): boolean => isMmioFlags(spteFlags(spte));
/** is_last_spte: a 4K entry, or a present entry with the page-size bit. */
export const isLastSpte = (spte: number, level: number): boolean => level === 1 || (spteFlags(spte) & SPTE_HUGE) !== 0;

/**
 * is_accessed_spte. Up to 6.12 an SPTE without A/D bits (EPT with A/D disabled) is
 * "accessed" when not access-tracked; from 6.13 KVM writes the A bit there too and reads it.
 */
export const isAccessedFlags = (flags: number, noAdBits: boolean): boolean =>
  noAdBits ? (flags & SPTE_ACCESS_TRACKED) === 0 : (flags & SPTE_ACCESSED) !== 0;

/** is_dirty_spte (up to 6.12: W when there is no D mask); from 6.13 the D bit, always written. */
export const isDirtyFlags = (flags: number, noAdBits: boolean): boolean => (noAdBits ? (flags & SPTE_WRITABLE) !== 0 : (flags & SPTE_DIRTY) !== 0);

/** mark_spte_for_access_track: with A/D, clear A; without, save R/X and clear R/W/X (and, 6.13+, A). */
export function markSpteForAccessTrack(flags: number, adDisabled: boolean): number {
  if (!adDisabled) return flags & ~SPTE_ACCESSED;
  if (flags & SPTE_ACCESS_TRACKED) return flags;
  return (flags | SPTE_ACCESS_TRACKED) & ~(SPTE_WRITABLE | SPTE_ACCESSED);
}

/** make_huge_page_split_spte / make_small_spte (spte.c): child `index` of a huge SPTE. */
export function makeHugePageSplitSpte(hugeSpte: number, childLevel: number, index: number, nxHugePages: boolean): number {
  let flags = spteFlags(hugeSpte);
  if (childLevel === 1) {
    flags &= ~SPTE_HUGE;
    // make_spte_executable: the NX mitigation no longer applies to 4K children.
    if (nxHugePages) flags |= SPTE_EXECUTABLE;
  }
  const pages = childLevel === 1 ? 1 : childLevel === 2 ? 512 : 262144;
  return makeSpte(sptePfn(hugeSpte) + index * pages, flags);
}

/** The pfn the host's shared zero page has in this simulation (every zero-page leaf maps it). */
export const ZERO_PAGE_PFN = 0x1ff7;
/** The THP huge zero page (2M-aligned), for 2M leaves over untouched anonymous memory. */
export const HUGE_ZERO_PAGE_PFN = 0x3fe00;
/** guest_memfd pages come from a different host pool than the hva range. */
export const GMEM_PFN_BASE = 2 ** 43;

// Hardware bit positions (Intel SDM EPT entries, AMD APM PTEs) and KVM's software bits (spte.h).
const EPT = { R: 0, W: 1, X: 2, PS: 7, A: 8, D: 9, HOST_WRITABLE: 57, MMU_WRITABLE: 58, SUPPRESS_VE: 63 } as const;
const NPT = { P: 0, W: 1, U: 2, A: 5, D: 6, PS: 7, HOST_WRITABLE: 9, MMU_WRITABLE: 10, NX: 63 } as const;
/** SPTE_MMU_PRESENT_MASK: bit 11 in every shadow-present SPTE. */
const MMU_PRESENT_BIT = 11;
/** SPTE_TDP_AD_DISABLED: bits 53:52 = 1 in every SPTE of a root without A/D bits. */
const TDP_AD_DISABLED_BIT = 52;
/** SHADOW_ACC_TRACK_SAVED_BITS_SHIFT: saved R at bit 54, saved X at bit 56. */
const ACC_TRACK_SAVED_SHIFT = 54;
/** EPT MMIO SPTEs are W+X without R (a misconfiguration); NPT sets reserved bit 51 with P. */
const EPT_MMIO_VALUE = 0x6n;

export interface SpteView {
  vendor: 'intel' | 'amd';
  /** The root's role.ad_disabled (EPT without A/D bits). */
  adDisabled: boolean;
}

/**
 * The whole SPTE as KVM stores it, as a bigint: the pfn at bit 12, the vendor's hardware
 * bits and KVM's software bits (MMU-present, host-/MMU-writable, the A/D-disabled marker,
 * the saved R/X of an access-tracked entry). Memtype bits are not modelled.
 */
export function spteValue(spte: number, level: number, view: SpteView): bigint {
  if (spte === SHADOW_NONPRESENT) return 0n;
  const f = spteFlags(spte);
  const pfn = BigInt(sptePfn(spte));
  const intel = view.vendor === 'intel';
  if (isMmioFlags(f)) return (pfn << 12n) | (intel ? EPT_MMIO_VALUE : (1n << 51n) | 1n);
  let v = pfn << 12n;
  const set = (bit: number): void => {
    v |= 1n << BigInt(bit);
  };
  const leaf = isLastSpte(spte, level);
  set(MMU_PRESENT_BIT);
  if (intel) {
    set(EPT.SUPPRESS_VE); // shadow_present_mask
    if (view.adDisabled) set(TDP_AD_DISABLED_BIT);
    if (!leaf) {
      // make_nonleaf_spte: R/W/X, and A unless the root has no A/D bits.
      set(EPT.R);
      set(EPT.W);
      set(EPT.X);
      if (!view.adDisabled) set(EPT.A);
      return v;
    }
    const tracked = (f & SPTE_ACCESS_TRACKED) !== 0;
    if (tracked) {
      set(ACC_TRACK_SAVED_SHIFT); // saved R
      if (f & SPTE_EXECUTABLE) set(ACC_TRACK_SAVED_SHIFT + 2); // saved X
    } else {
      set(EPT.R);
      if (f & SPTE_EXECUTABLE) set(EPT.X);
    }
    if (f & SPTE_WRITABLE) set(EPT.W);
    if (f & SPTE_HUGE) set(EPT.PS);
    if (f & SPTE_ACCESSED) set(EPT.A);
    if (f & SPTE_DIRTY) set(EPT.D);
    if (f & SPTE_HOST_WRITABLE) {
      set(EPT.HOST_WRITABLE);
      set(EPT.MMU_WRITABLE);
    }
    return v;
  }
  set(NPT.P);
  set(NPT.U);
  if (!leaf) {
    set(NPT.W);
    set(NPT.A);
    return v;
  }
  if (f & SPTE_WRITABLE) set(NPT.W);
  if (f & SPTE_HUGE) set(NPT.PS);
  if (f & SPTE_ACCESSED) set(NPT.A);
  if (f & SPTE_DIRTY) set(NPT.D);
  if (f & SPTE_HOST_WRITABLE) {
    set(NPT.HOST_WRITABLE);
    set(NPT.MMU_WRITABLE);
  }
  if (!(f & SPTE_EXECUTABLE)) set(NPT.NX);
  return v;
}
