// mmu_internal.h: struct kvm_page_fault, the RET_PF_* codes and what the fault path
// (fault.ts) and the TDP MMU (map.ts) share, so that neither imports the other's module
// for them (the kernel breaks the same cycle with this header).

import type { Memslot } from '../memslots.js';
import { PAGES_PER_LEVEL } from '../u64.js';

// RET_PF_*, 6.12+ order.
export const RET_PF_CONTINUE = 0;
export const RET_PF_RETRY = 1;
export const RET_PF_EMULATE = 2;
export const RET_PF_WRITE_PROTECTED = 3;
export const RET_PF_INVALID = 4;
export const RET_PF_FIXED = 5;
export const RET_PF_SPURIOUS = 6;

export { EINVAL, ENOENT, EOPNOTSUPP, EINTR, EIO, EFAULT, EAGAIN, ENOMEM } from '../errno.js';

/** struct kvm_page_fault, reused across iterations to keep the pre-fault loop allocation-free. */
export interface KvmPageFault {
  /** Fault address as a gfn, with the TDX shared bit when the access is shared. */
  addrGfn: number;
  /** The gfn without direct bits: what the memslot lookup uses. */
  gfn: number;
  isPrivate: boolean;
  write: boolean;
  exec: boolean;
  prefetch: boolean;
  /** Address space of the slot lookup (the vCPU's, or 0 under switch-root-mmu). */
  asId: number;
  maxLevel: number;
  reqLevel: number;
  goalLevel: number;
  hugePageDisallowed: boolean;
  slot: Memslot | undefined;
  pfn: number;
  mapWritable: boolean;
  /** What the map step installed (for the response's `mapped` rows). */
  installedFlags: number;
  installedPfn: number;
  installedGfn: number;
  installedLevel: number;
  installed: boolean;
  /** Legacy TDP MMU: leaves direct_pte_prefetch installed beside it, as (gfn, spte) pairs. */
  readonly prefetched: number[];
  /** The vCPU taking the fault (for tracepoints). */
  vcpuId: number;
  /** Per-call memo of maxMappingLevel for shared faults: (slot, 2M page) -> level. */
  memoSlot: Memslot | undefined;
  memoPage: number;
  memoLevel: number;
}

/**
 * kvm_mmu_do_page_fault's initialiser for a vCPU's first fault; later faults of the same
 * call reuse the object through initPageFault, which writes the same per-fault fields.
 */
export function newPageFault(vcpuId: number, ...[gfn, addrGfn, isPrivate, asId, write, exec, prefetch, nxHugePages]: FaultInputs): KvmPageFault {
  return {
    addrGfn,
    gfn,
    isPrivate,
    write,
    exec,
    prefetch,
    asId,
    maxLevel: 3,
    reqLevel: 1,
    goalLevel: 1,
    hugePageDisallowed: exec && nxHugePages,
    slot: undefined,
    pfn: 0,
    // Written by kvm_mmu_faultin_pfn, and the installed* fields by the map step, before any read.
    mapWritable: false,
    installedFlags: 0,
    installedPfn: 0,
    installedGfn: 0,
    installedLevel: 0,
    installed: false,
    prefetched: [],
    vcpuId,
    memoSlot: undefined,
    memoPage: -1,
    memoLevel: 0,
  };
}

/** What initPageFault (and the first fault's newPageFault) take after the fault itself. */
type FaultInputs = Parameters<typeof initPageFault> extends [KvmPageFault, ...infer Inputs] ? Inputs : never;

/** Reset the per-fault fields (kvm_mmu_do_page_fault's initialiser). */
export function initPageFault(
  f: KvmPageFault,
  gfn: number,
  addrGfn: number,
  isPrivate: boolean,
  asId: number,
  write: boolean,
  exec: boolean,
  prefetch: boolean,
  nxHugePages: boolean,
): void {
  f.gfn = gfn;
  f.addrGfn = addrGfn;
  f.isPrivate = isPrivate;
  f.asId = asId;
  f.write = write;
  f.exec = exec;
  f.prefetch = prefetch;
  // kvm_mmu_do_page_fault: max 1G, requested/goal 4K until hugepage_adjust runs.
  f.maxLevel = 3;
  f.reqLevel = 1;
  f.goalLevel = 1;
  // kvm_mmu_hugepage_adjust: huge pages are refused only to exec faults under the NX mitigation.
  f.hugePageDisallowed = exec && nxHugePages;
  f.slot = undefined;
  f.pfn = 0;
  // mapWritable is not reset: kvm_mmu_faultin_pfn sets it on every path that reaches make_spte.
  f.installed = false;
  // Only the legacy MMU's prefetch fills it; truncating even an empty array is a runtime
  // call, far dearer than reading the length, and this runs once per fault.
  if (f.prefetched.length) f.prefetched.length = 0;
}

/** Which host page (of the backing's size) backs gfn: what CoW state is kept per. */
export const hostPageIndex = (slot: Memslot, gfn: number): number =>
  Math.floor((slot.hvaPfn + (gfn - slot.baseGfn)) / PAGES_PER_LEVEL[slot.backingLevel]!);

/**
 * The fault's error code as the tracepoints print it (PFERR_* of kvm_host.h). A pre-fault's
 * is kvm_arch_vcpu_pre_fault_memory's: PFERR_GUEST_FINAL_MASK, with PFERR_PRIVATE_ACCESS for
 * private memory. A guest access's comes from its EPT violation (vmx/common.h:
 * __vmx_handle_ept_violation): a data read sets PFERR_USER_MASK, a write PFERR_WRITE_MASK, a
 * fetch PFERR_FETCH_MASK, and PFERR_PRESENT_MASK when the entry granted any of R/W/X
 * (`eptPresent`; an access-tracked SPTE grants none).
 */
export function pfErrorCode(f: KvmPageFault, eptPresent: boolean): bigint {
  let code = 1n << 32n; // PFERR_GUEST_FINAL_MASK: a TDP fault on the final gpa
  if (!f.prefetch) {
    if (f.write)
      code |= 1n << 1n; // PFERR_WRITE_MASK
    else if (f.exec)
      code |= 1n << 4n; // PFERR_FETCH_MASK
    else code |= 1n << 2n; // PFERR_USER_MASK: EPT_VIOLATION_ACC_READ
    if (eptPresent) code |= 1n; // PFERR_PRESENT_MASK
  }
  if (f.isPrivate) code |= 1n << 49n; // PFERR_PRIVATE_ACCESS
  return code;
}
