// The stage-2 fault handlers a pre-fault reaches (arch/arm64/kvm/mmu.c): user_mem_abort with
// its steps (kvm_s2_fault_get_vma_info / kvm_s2_resolve_vma_size, kvm_s2_fault_pin_pfn,
// kvm_s2_fault_compute_prot, kvm_s2_fault_map with transparent_hugepage_adjust), and
// gmem_abort. Both fill a result record (struct kvm_s2_fault_result) and return 0 or a
// negative errno; with a result record EAGAIN and EHWPOISON are returned, not swallowed.

import { EAGAIN, EFAULT, EHWPOISON, ENOMEM } from '../errno.js';
import { slotHvaFrame, type ArchMemslot } from '../generic-memslots.js';
import { kvmPgtableStage2Map, stage2LeafAttrs, type Granule, type S2Root } from './pgtable.js';
import type { Arm64State } from './state.js';

/** Host mapping sizes in 4K frames per granule (PAGE, CONT_PTE, PMD, CONT_PMD, PUD; asm/pgtable-hwdef.h, Kconfig). */
interface HostSizes {
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

/** The shared zero page and the THP huge zero page, as output frames (simulator placement, both naturally aligned). */
export const ZERO_PAGE_FRAME = 2 ** 29;
export const HUGE_ZERO_FRAME = 2 ** 30;
/** guest_memfd pages come from their own pool, gpa-congruent (simulator placement). */
export const GMEM_BASE_FRAME = 2 ** 31;

/** struct kvm_s2_fault_desc, reduced to what a synthetic read translation fault carries. */
export interface S2FaultDesc {
  /** fault_ipa >> 12 (host-page aligned). */
  gfn: number;
  slot: ArchMemslot;
  /** The canonical MMU (mmu = &kvm->arch.mmu). */
  mmu: S2Root;
}

/** struct kvm_s2_fault_result plus what the response lists about the installed mapping. */
export interface S2FaultResult {
  /** mapping_size in 4K frames. */
  mappingFrames: number;
  gfn: number;
  paFrame: number;
  attrs: number;
}

/** The call's injected races: mmu_invalidate_retry() is true for this many more fault attempts. */
export interface S2FaultEnv {
  racesLeft: number;
}

/** memslot_is_logging: a dirty bitmap exists and the slot is not read-only. */
export const memslotIsLogging = (slot: ArchMemslot): boolean => slot.logDirtyPages && !slot.readonly;

/**
 * fault_supports_stage2_huge_mapping: PAGE_SIZE always; otherwise gpa and hva congruent modulo
 * the size, and the size-aligned block around the hva inside the slot's hva range.
 */
export function faultSupportsStage2HugeMapping(slot: ArchMemslot, hvaFrame: number, frames: number, pageFrames: number): boolean {
  if (frames === pageFrames) return true;
  if (slot.baseGfn % frames !== slot.hvaFrame % frames) return false;
  const start = hvaFrame - (hvaFrame % frames);
  return start >= slot.hvaFrame && start + frames <= slot.hvaFrame + slot.npages;
}

/** kvm_s2_resolve_vma_size: the VMA's mapping size ceiling (vma_pagesize) and max_map_size, in frames. */
export function kvmS2ResolveVmaSize(state: Arm64State, slot: ArchMemslot, hvaFrame: number): { vmaFrames: number; maxMapFrames: number } {
  const sz = HOST_SIZES[state.geo.granule];
  const supports = (f: number): boolean => faultSupportsStage2HugeMapping(slot, hvaFrame, f, sz.page);
  if (memslotIsLogging(slot)) return { vmaFrames: sz.page, maxMapFrames: sz.page };
  // get_vma_page_shift: a hugetlb VMA maps at its huge page size, anything else at PAGE_SIZE.
  let shift = slot.hugetlb ? slot.backingFrames : sz.page;
  const maxMap = sz.pud || sz.contPmd; // PUD_SIZE allowance for the THP step (only compared with PAGE_SIZE)
  if (sz.pud && shift === sz.pud) {
    if (supports(sz.pud)) return { vmaFrames: sz.pud, maxMapFrames: maxMap };
    shift = sz.contPmd; // fall through to CONT_PMD
  }
  if (shift === sz.contPmd) shift = sz.pmd;
  if (shift === sz.pmd) {
    if (supports(sz.pmd)) return { vmaFrames: sz.pmd, maxMapFrames: maxMap };
    shift = sz.contPte; // fall through to CONT_PTE
  }
  if (shift === sz.contPte) return { vmaFrames: sz.page, maxMapFrames: sz.page };
  return { vmaFrames: sz.page, maxMapFrames: maxMap };
}

/**
 * __kvm_faultin_pfn for a read (kvm_main.c): read GUP, then an opportunistic fast write GUP,
 * so an already-writable host page maps writable; untouched anonymous memory gives the zero
 * page (the huge zero page under THP); hugetlbfs has none. The pa is the hva (identity host).
 */
function faultinPfn(state: Arm64State, slot: ArchMemslot, gfn: number): { paFrame: number; writable: boolean } {
  if (!slot.backingWritable && !slot.hugetlb) {
    const thp = slot.backingFrames >= HOST_SIZES[state.geo.granule].pmd;
    const pa = thp ? HUGE_ZERO_FRAME + (slotHvaFrame(slot, gfn) % slot.backingFrames) : ZERO_PAGE_FRAME;
    return { paFrame: pa, writable: false };
  }
  return { paFrame: slotHvaFrame(slot, gfn), writable: slot.backingWritable && !slot.readonly };
}

/**
 * user_mem_abort for a synthetic read translation fault with a result record. Order: top up
 * the memcache; pin the pfn (VMA lookup, size, __kvm_faultin_pfn); compute prot; map.
 */
export function userMemAbort(state: Arm64State, d: S2FaultDesc, env: S2FaultEnv, out: S2FaultResult): number {
  const { slot } = d;
  const sz = HOST_SIZES[state.geo.granule];
  const hvaFrame = slotHvaFrame(slot, d.gfn);
  // kvm_s2_fault_get_vma_info: vma_lookup fails -> "Failed to find VMA", EFAULT.
  if (!slot.backingMapped) return EFAULT;
  const { vmaFrames, maxMapFrames } = kvmS2ResolveVmaSize(state, slot, hvaFrame);
  // Both IPAs aligned to the mapping size (kvm_s2_fault_get_vma_info).
  let gfn = d.gfn - (d.gfn % vmaFrames);
  // kvm_s2_fault_pin_pfn: KVM_PFN_ERR_HWPOISON -> EHWPOISON (the caller handles it, no SIGBUS).
  if (slot.hwpoison.has(gfn - (gfn % sz.page))) return EHWPOISON;
  const pfn = faultinPfn(state, slot, gfn);
  let paFrame = pfn.paFrame;
  // kvm_s2_fault_compute_prot: R; W iff writable pfn and the slot is not logging (a read fault); X only with DIC.
  const writable = pfn.writable && !memslotIsLogging(slot);
  const attrs = stage2LeafAttrs(writable, state.config.host.cacheDic, state.config.host.fwb);
  // kvm_s2_fault_map: an invalidation raced since the sequence count was sampled.
  if (env.racesLeft > 0) {
    env.racesLeft--;
    return EAGAIN;
  }
  let frames = vmaFrames;
  if (frames === sz.page && maxMapFrames !== sz.page) {
    // transparent_hugepage_adjust: PMD_SIZE when the host maps the hva with a leaf >= PMD (get_user_mapping_size).
    const hostLeafFrames = slot.hugetlb ? sz.page : slot.backingFrames;
    if (faultSupportsStage2HugeMapping(slot, hvaFrame, sz.pmd, sz.page) && hostLeafFrames >= sz.pmd) {
      frames = sz.pmd;
      gfn -= gfn % sz.pmd;
      paFrame -= paFrame % sz.pmd;
    }
  }
  const r = kvmPgtableStage2Map(d.mmu, gfn, frames, paFrame, attrs, ENOMEM);
  if (r < 0) return r;
  // A writable mapping would mark_page_dirty_in_slot; with logging it is never writable, without there is no bitmap.
  out.mappingFrames = frames;
  out.gfn = gfn;
  out.paFrame = paFrame;
  out.attrs = attrs;
  return 0;
}

/**
 * gmem_abort: PAGE_SIZE always; the pfn from kvm_gmem_get_pfn; W unless the slot is
 * READONLY (host writability does not matter); X only with DIC; an invalidation race is EAGAIN.
 */
export function gmemAbort(state: Arm64State, d: S2FaultDesc, env: S2FaultEnv, out: S2FaultResult): number {
  const attrs = stage2LeafAttrs(!d.slot.readonly, state.config.host.cacheDic, state.config.host.fwb);
  if (env.racesLeft > 0) {
    env.racesLeft--;
    return EAGAIN;
  }
  const paFrame = GMEM_BASE_FRAME + d.gfn;
  const r = kvmPgtableStage2Map(d.mmu, d.gfn, state.pageFrames, paFrame, attrs, ENOMEM);
  if (r < 0) return r;
  out.mappingFrames = state.pageFrames;
  out.gfn = d.gfn;
  out.paFrame = paFrame;
  out.attrs = attrs;
  return 0;
}
