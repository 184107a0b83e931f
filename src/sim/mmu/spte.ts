// SPTE encoding (arch/x86/kvm/mmu/spte.h). A simulated SPTE is one float64 holding an
// integer: pfn * 2^SPTE_FLAG_BITS + flags. With 9 flag bits a pfn may use 44 bits, enough
// for every host address below 2^56, and the whole value stays exact (< 2^53). The
// hardware layout (EPT vs NPT bit positions) is produced only for display, by
// `hardwareSpte`, so the hot path never touches vendor differences.

export const SPTE_FLAG_BITS = 9;
const FLAG_SPAN = 1 << SPTE_FLAG_BITS;

/** is_shadow_present_pte: a leaf or a table pointer KVM considers present. */
export const SPTE_PRESENT = 1 << 0;
export const SPTE_WRITABLE = 1 << 1;
export const SPTE_EXECUTABLE = 1 << 2;
/** shadow_accessed_mask; only meaningful when the root has A/D bits. */
export const SPTE_ACCESSED = 1 << 3;
/** shadow_dirty_mask; only meaningful when the root has A/D bits. */
export const SPTE_DIRTY = 1 << 4;
/** PT_PAGE_SIZE_MASK: a huge leaf above 4K. */
export const SPTE_HUGE = 1 << 5;
/** make_mmio_spte: not present, reserved-bit pattern that makes the CPU exit for MMIO. */
export const SPTE_MMIO = 1 << 6;
/** Simulator bookkeeping, no hardware bit: the fault that installed it took the private path. */
export const SPTE_SIM_PRIVATE = 1 << 7;
/** mark_spte_for_access_track: R/X saved and cleared, hardware-not-present until touched. */
export const SPTE_ACCESS_TRACKED = 1 << 8;

export const SHADOW_NONPRESENT = 0;

export const makeSpte = (pfn: number, flags: number): number => pfn * FLAG_SPAN + flags;
export const spteFlags = (spte: number): number => spte % FLAG_SPAN;
export const sptePfn = (spte: number): number => Math.floor(spte / FLAG_SPAN);

export const isShadowPresent = (spte: number): boolean => (spte % FLAG_SPAN & SPTE_PRESENT) !== 0;
export const isMmioSpte = (spte: number): boolean => (spte % FLAG_SPAN & SPTE_MMIO) !== 0;
/** is_last_spte: a 4K entry, or a present entry with the page-size bit. */
export const isLastSpte = (spte: number, level: number): boolean =>
  level === 1 || (spte % FLAG_SPAN & SPTE_HUGE) !== 0;

/** is_accessed_spte: the A bit with A/D, "not access-tracked" without. */
export const isAccessedSpte = (spte: number, adDisabled: boolean): boolean => {
  const f = spte % FLAG_SPAN;
  return adDisabled ? (f & SPTE_ACCESS_TRACKED) === 0 : (f & SPTE_ACCESSED) !== 0;
};

/** The pfn the host's shared zero page has in this simulation (every zero-page leaf maps it). */
export const ZERO_PAGE_PFN = 0x1ff7;
/** The THP huge zero page (2M-aligned), for 2M leaves over untouched anonymous memory. */
export const HUGE_ZERO_PAGE_PFN = 0x3fe00;
/** guest_memfd pages come from a different host pool than the hva range. */
export const GMEM_PFN_BASE = 2 ** 43;

// Hardware bit positions, for display only (Intel SDM EPT entries, AMD APM PTEs).
const EPT = { R: 0, W: 1, X: 2, PS: 7, A: 8, D: 9 } as const;
const NPT = { P: 0, W: 1, U: 2, PS: 7, A: 5, D: 6, NX: 63 } as const;
/** EPT MMIO SPTEs are W without R (a misconfiguration); NPT uses reserved bits 51:? set. */
const EPT_MMIO_VALUE = 0x6n;

/**
 * The SPTE as the vendor's hardware would hold it (pfn in bits 12+, flags at the
 * vendor's positions), as a bigint. Access-tracked EPT entries have R/X cleared.
 */
export function hardwareSpte(spte: number, vendor: 'intel' | 'amd', leaf: boolean): bigint {
  if (spte === SHADOW_NONPRESENT) return 0n;
  const f = spteFlags(spte);
  const pfn = BigInt(sptePfn(spte));
  if (f & SPTE_MMIO) return (pfn << 12n) | (vendor === 'intel' ? EPT_MMIO_VALUE : (1n << 51n) | 1n);
  let v = pfn << 12n;
  const set = (bit: number): void => {
    v |= 1n << BigInt(bit);
  };
  if (vendor === 'intel') {
    const tracked = (f & SPTE_ACCESS_TRACKED) !== 0;
    if (!tracked) set(EPT.R);
    if (f & SPTE_WRITABLE || !leaf) set(EPT.W);
    if ((f & SPTE_EXECUTABLE || !leaf) && !tracked) set(EPT.X);
    if (leaf && f & SPTE_HUGE) set(EPT.PS);
    if (f & SPTE_ACCESSED) set(EPT.A);
    if (f & SPTE_DIRTY) set(EPT.D);
  } else {
    set(NPT.P);
    set(NPT.U);
    if (f & SPTE_WRITABLE || !leaf) set(NPT.W);
    if (leaf && f & SPTE_HUGE) set(NPT.PS);
    if (f & SPTE_ACCESSED) set(NPT.A);
    if (f & SPTE_DIRTY) set(NPT.D);
    if (leaf && !(f & SPTE_EXECUTABLE)) set(NPT.NX);
  }
  return v;
}
