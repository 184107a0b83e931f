// The stage-2 fault handlers a pre-fault reaches (arch/arm64/kvm/mmu.c): user_mem_abort with
// its steps (kvm_s2_fault_get_vma_info / kvm_s2_resolve_vma_size, kvm_s2_fault_pin_pfn,
// kvm_s2_fault_compute_prot, kvm_s2_fault_map with transparent_hugepage_adjust), and
// gmem_abort. They take what struct kvm_s2_fault_desc carries for a synthetic read
// translation fault (the canonical mmu, fault_ipa, the memslot; nested = NULL), fill a result
// record (struct kvm_s2_fault_result) and return 0 or a negative errno: with a result record
// EAGAIN and EHWPOISON are returned, not swallowed.

import { EAGAIN, EFAULT, EHWPOISON, ENOMEM } from '../errno.js';
import { slotHvaFrame, type ArchMemslot } from '../generic-memslots.js';
import { alignDown, kvmPgtableStage2Map, stage2LeafAttrs, type S2Root } from './pgtable.js';
import type { Arm64State } from './state.js';

/** The shared zero page and the THP huge zero page, as output frames (simulator placement, both naturally aligned). */
export const ZERO_PAGE_FRAME = 2 ** 29;
export const HUGE_ZERO_FRAME = 2 ** 30;
/** guest_memfd pages come from their own pool, at the slot's guest_memfd offset (simulator placement). */
export const GMEM_BASE_FRAME = 2 ** 31;

/** struct kvm_s2_fault_result plus what the response lists about the installed mapping. */
export interface S2FaultResult {
  /** mapping_size in 4K frames. */
  mappingFrames: number;
  gfn: number;
  paFrame: number;
  attrs: number;
}

/** The call's injected races (mmu_invalidate_retry() is true for this many more fault attempts) and scratch state. */
export interface S2FaultEnv {
  racesLeft: number;
  vma: S2VmaInfo;
}

/** memslot_is_logging: a dirty bitmap exists and the slot is not read-only. */
export const memslotIsLogging = (slot: ArchMemslot): boolean => slot.logDirtyPages && !slot.readonly;

/**
 * fault_supports_stage2_huge_mapping for a PUD or PMD size (the only sizes it is asked about;
 * PAGE_SIZE is always supported): gpa and hva congruent modulo the size, and the size-aligned
 * block around the hva inside the slot's hva range.
 */
export function faultSupportsStage2HugeMapping(slot: ArchMemslot, hvaFrame: number, frames: number): boolean {
  if (slot.baseGfn - alignDown(slot.baseGfn, frames) !== slot.hvaFrame - alignDown(slot.hvaFrame, frames)) return false;
  const start = alignDown(hvaFrame, frames);
  return start >= slot.hvaFrame && start + frames <= slot.hvaFrame + slot.npages;
}

/** The VMA info a fault computes (struct kvm_s2_fault_vma_info, reduced); reused across faults. */
export interface S2VmaInfo {
  /** vma_pagesize in 4K frames. */
  vmaFrames: number;
  maxMapFrames: number;
  paFrame: number;
  writable: boolean;
}

/** kvm_s2_resolve_vma_size: the VMA's mapping size ceiling (vma_pagesize) and max_map_size, in frames. */
export function kvmS2ResolveVmaSize(state: Arm64State, slot: ArchMemslot, hvaFrame: number, vi: S2VmaInfo): void {
  const sz = state.hostSizes;
  if (memslotIsLogging(slot)) {
    vi.vmaFrames = vi.maxMapFrames = sz.page;
    return;
  }
  // get_vma_page_shift: a hugetlb VMA maps at its huge page size, anything else at PAGE_SIZE.
  let shift = slot.hugetlb ? slot.backingFrames : sz.page;
  vi.maxMapFrames = sz.pud || sz.contPmd; // the PUD_SIZE allowance of the THP step (only compared with PAGE_SIZE)
  if (sz.pud && shift === sz.pud) {
    if (faultSupportsStage2HugeMapping(slot, hvaFrame, sz.pud)) {
      vi.vmaFrames = sz.pud;
      return;
    }
    shift = sz.contPmd; // fall through to CONT_PMD
  }
  if (shift === sz.contPmd) shift = sz.pmd;
  if (shift === sz.pmd) {
    if (faultSupportsStage2HugeMapping(slot, hvaFrame, sz.pmd)) {
      vi.vmaFrames = sz.pmd;
      return;
    }
    shift = sz.contPte; // fall through to CONT_PTE
  }
  if (shift === sz.contPte) vi.maxMapFrames = sz.page;
  vi.vmaFrames = sz.page;
}

/**
 * True when every user_mem_abort in the slot that maps a page maps the page at the hva's own
 * frame with the slot's attributes, and cannot fail: user_mem_abort, not gmem_abort (pages from
 * the guest_memfd pool); a writable backing (a read-only anonymous one gives the zero page,
 * __kvm_faultin_pfn); nothing poisoned (kvm_s2_fault_pin_pfn). A slot with no VMA fails its
 * first fault, so it never gets that far. Which faults map a page is the caller's concern.
 */
export const pageOnlyFaults = (slot: ArchMemslot): boolean => !slot.guestMemfd && slot.backingWritable && slot.hwpoison.size === 0;

/**
 * __kvm_faultin_pfn for a read (kvm_main.c): read GUP, then an opportunistic fast write GUP,
 * so an already-writable host page maps writable; untouched anonymous memory gives the zero
 * page (the huge zero page under THP); hugetlbfs has none. The pa is the hva (identity host).
 */
function faultinPfn(state: Arm64State, slot: ArchMemslot, gfn: number, vi: S2VmaInfo): void {
  if (!slot.backingWritable && !slot.hugetlb) {
    const thp = slot.backingFrames >= state.hostSizes.pmd;
    vi.paFrame = thp ? HUGE_ZERO_FRAME + slotHvaFrame(slot, gfn) - alignDown(slotHvaFrame(slot, gfn), slot.backingFrames) : ZERO_PAGE_FRAME;
    vi.writable = false;
    return;
  }
  vi.paFrame = slotHvaFrame(slot, gfn);
  vi.writable = slot.backingWritable && !slot.readonly;
}

/**
 * user_mem_abort for a synthetic read translation fault with a result record. Order: top up
 * the memcache; pin the pfn (VMA lookup, size, __kvm_faultin_pfn); compute prot; map.
 */
export function userMemAbort(state: Arm64State, mmu: S2Root, faultGfn: number, slot: ArchMemslot, env: S2FaultEnv, out: S2FaultResult): number {
  const sz = state.hostSizes;
  const hvaFrame = slotHvaFrame(slot, faultGfn);
  // kvm_s2_fault_get_vma_info: vma_lookup fails -> "Failed to find VMA", EFAULT.
  if (!slot.backingMapped) return EFAULT;
  const vi = env.vma;
  kvmS2ResolveVmaSize(state, slot, hvaFrame, vi);
  const vmaFrames = vi.vmaFrames;
  // Both IPAs aligned to the mapping size (kvm_s2_fault_get_vma_info).
  let gfn = alignDown(faultGfn, vmaFrames);
  // kvm_s2_fault_pin_pfn: KVM_PFN_ERR_HWPOISON -> EHWPOISON (the caller handles it, no SIGBUS).
  if (slot.hwpoison.has(alignDown(gfn, sz.page))) return EHWPOISON;
  faultinPfn(state, slot, gfn, vi);
  let paFrame = vi.paFrame;
  // kvm_s2_fault_compute_prot: R; W iff writable pfn and the slot is not logging (a read fault); X only with DIC.
  const writable = vi.writable && !memslotIsLogging(slot);
  const attrs = stage2LeafAttrs(writable, state.config.host.cacheDic, state.config.host.fwb);
  // kvm_s2_fault_map: an invalidation raced since the sequence count was sampled.
  if (env.racesLeft > 0) {
    env.racesLeft--;
    return EAGAIN;
  }
  let frames = vmaFrames;
  if (frames === sz.page && vi.maxMapFrames !== sz.page) {
    // transparent_hugepage_adjust: PMD_SIZE when the host maps the hva with a leaf >= PMD
    // (get_user_mapping_size: the backing's page size). A hugetlb VMA never gets here: its
    // ceiling is PAGE_SIZE only with max_map_size PAGE_SIZE (the CONT_PTE case).
    if (slot.backingFrames >= sz.pmd && faultSupportsStage2HugeMapping(slot, hvaFrame, sz.pmd)) {
      frames = sz.pmd;
      gfn = alignDown(gfn, sz.pmd);
      paFrame = alignDown(paFrame, sz.pmd);
    }
  }
  const r = kvmPgtableStage2Map(mmu, gfn, frames, paFrame, attrs, ENOMEM);
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
export function gmemAbort(state: Arm64State, mmu: S2Root, gfn: number, slot: ArchMemslot, env: S2FaultEnv, out: S2FaultResult): number {
  const attrs = stage2LeafAttrs(!slot.readonly, state.config.host.cacheDic, state.config.host.fwb);
  if (env.racesLeft > 0) {
    env.racesLeft--;
    return EAGAIN;
  }
  // kvm_gmem_get_pfn: the page at guest_memfd_offset + (gfn - base_gfn) of the file.
  const paFrame = GMEM_BASE_FRAME + slot.gmemOffsetFrame + (gfn - slot.baseGfn);
  const r = kvmPgtableStage2Map(mmu, gfn, state.pageFrames, paFrame, attrs, ENOMEM);
  if (r < 0) return r;
  out.mappingFrames = state.pageFrames;
  out.gfn = gfn;
  out.paFrame = paFrame;
  out.attrs = attrs;
  return 0;
}
