// One TDP page fault, prefetch (pre-fault) or real: kvm_mmu_do_page_fault ->
// kvm_mmu_faultin_pfn -> kvm_tdp_mmu_map. Outcomes are RET_PF_* codes or a negative
// errno, exactly as the kernel passes them around; errno names appear only at the edge.

import { isHwpoisoned, lpageDisallowedBySlot, type Memslot } from '../memslots.js';
import { maxGfn, type VmState } from '../state.js';
import { PAGES_PER_LEVEL } from '../u64.js';
import { GMEM_PFN_BASE, HUGE_ZERO_PAGE_PFN, ZERO_PAGE_PFN } from './spte.js';
import { kvmTdpMmuMap } from './map.js';
import { EFAULT, EINTR } from '../errno.js';
import { roleAddressSpace } from './role.js';
import type { TdpRoot } from './roots.js';
import { zapLeafs } from './zap.js';
import { RET_PF_CONTINUE, RET_PF_EMULATE, hostPageIndex, type KvmPageFault } from './internal.js';

// Callers outside the MMU take the fault vocabulary from here, as they include mmu.h.
export * from './internal.js';

/** The host side of the fault: hva_to_pfn for shared memory (kvm_main.c), zero page included. */
function faultinShared(state: VmState, f: KvmPageFault, slot: Memslot): number {
  if (!slot.backingMapped) return EFAULT; // KVM_PFN_ERR_FAULT -> kvm_handle_error_pfn
  // KVM_PFN_ERR_HWPOISON: kvm_handle_error_pfn -> kvm_send_hwpoison_signal (SIGBUS) and RET_PF_RETRY; the retry sees signal_pending -> EINTR.
  if (isHwpoisoned(slot, f.gfn)) return EINTR;
  if (f.write && slot.readonly) return RET_PF_EMULATE; // KVM_PFN_ERR_RO_FAULT: MMIO exit
  // A write GUP breaks CoW; from then on the host page is writable and has its own pfn.
  if (f.write && !slot.backingWritable) {
    const page = hostPageIndex(slot, f.gfn);
    if (!slot.hostWritten.has(page)) {
      slot.hostWritten.add(page);
      unmapHostPage(state, slot, page);
    }
  }
  const touched = slot.backingWritable || slot.hostWritten.has(hostPageIndex(slot, f.gfn));
  f.mapWritable = touched && !slot.readonly;
  f.pfn = touched ? slot.hvaPfn + (f.gfn - slot.baseGfn) : untouchedPfn(slot, f.gfn);
  return RET_PF_CONTINUE;
}

/**
 * The CoW break replaces the host page, and the primary MMU's mmu_notifier first has KVM
 * zap every SPTE of the slot's gfns on it (kvm_mmu_notifier_invalidate_range_start ->
 * kvm_unmap_gfn_range): a present leaf is never repointed to another pfn. The kernel's
 * fault, now stale, retries and maps the new page; here the same fault maps it.
 */
function unmapHostPage(state: VmState, slot: Memslot, page: number): void {
  const n = PAGES_PER_LEVEL[slot.backingLevel]!;
  const first = slot.baseGfn + page * n - slot.hvaPfn;
  const start = Math.max(first, slot.baseGfn);
  const end = Math.min(first + n, slot.baseGfn + slot.npages);
  for (const root of state.roots.valid()) if (roleAddressSpace(root.role) === slot.asId) zapLeafs(state, root, start, end);
}

/**
 * What a read fault on untouched memory maps: anonymous 4K memory the shared zero page,
 * THP (2M) memory the huge zero page. hugetlbfs (the only 1G backing) has no zero page:
 * it allocates the page and maps it read-only until a write breaks CoW.
 */
function untouchedPfn(slot: Memslot, gfn: number): number {
  const hostPfn = slot.hvaPfn + (gfn - slot.baseGfn);
  if (slot.backingLevel === 1) return ZERO_PAGE_PFN;
  if (slot.backingLevel === 2) return HUGE_ZERO_PAGE_PFN + (hostPfn % 512);
  return hostPfn;
}

/** host_pfn_mapping_level: the leaf size of the host mapping. */
const hostPfnMappingLevel = (slot: Memslot): number => slot.backingLevel;

/** kvm_mmu_max_mapping_level: slot rules (disallow_lpage, mixed attributes) then the host's leaf. */
export function maxMappingLevel(state: VmState, slot: Memslot, gfn: number, maxLevel: number, isPrivate: boolean): number {
  let level = Math.min(maxLevel, state.config.host.maxHugePageLevel === '1G' ? 3 : 2);
  for (; level > 1; level--) {
    if (lpageDisallowedBySlot(slot, gfn, level)) continue;
    if (state.hasPrivateMem) {
      // KVM_LPAGE_MIXED_FLAG (hugepage_has_attrs)
      const n = PAGES_PER_LEVEL[level]!;
      const start = gfn - (gfn % n);
      if (state.attrs.mixed(start, start + n)) continue;
    }
    break;
  }
  // Private memory: guest_memfd reports order 0 (and TDX caps it at 4K anyway).
  const hostLevel = isPrivate ? 1 : hostPfnMappingLevel(slot);
  return Math.min(level, hostLevel);
}

/**
 * Within one call nothing a read fault does changes the slot rules, the attributes or the
 * host mapping, and every input of kvm_mmu_max_mapping_level is constant across a 2M
 * page except at 1G granularity, where 2M-page keys are still exact (a 1G answer holds
 * for each of its 2M pages). So the answer is remembered per (slot, 2M page).
 */
function memoMaxMappingLevel(state: VmState, f: KvmPageFault): number {
  const slot = f.slot!;
  if (f.write || f.isPrivate) return maxMappingLevel(state, slot, f.gfn, f.maxLevel, f.isPrivate);
  const page = f.gfn - (f.gfn % 512); // first gfn of the 2M page (cheaper than a floor division)
  if (f.memoSlot === slot && f.memoPage === page) return f.memoLevel;
  f.memoSlot = slot;
  f.memoPage = page;
  f.memoLevel = maxMappingLevel(state, slot, f.gfn, f.maxLevel, f.isPrivate);
  return f.memoLevel;
}

/** kvm_mmu_hugepage_adjust: pick the goal level for a fault that has a pfn. */
function hugepageAdjust(state: VmState, f: KvmPageFault): void {
  if (f.maxLevel === 1) return;
  if (!f.slot || f.slot.logDirtyPages) return; // no-slot pfns and dirty logging stay 4K
  f.reqLevel = memoMaxMappingLevel(state, f);
  if (f.reqLevel === 1 || f.hugePageDisallowed) return;
  f.goalLevel = f.reqLevel;
}

/**
 * kvm_mmu_faultin_pfn and kvm_handle_noslot_fault: find the slot and the pfn.
 * Returns RET_PF_CONTINUE to go on mapping, or the fault's final outcome.
 */
function faultinPfn(state: VmState, f: KvmPageFault): number {
  const slot = state.slots.lookup(f.asId, f.gfn);
  // kvm_mmu_faultin_pfn: private/shared disagreement with the attributes -> memory fault exit.
  if (state.hasPrivateMem && f.isPrivate !== state.attrs.isPrivate(f.gfn)) return EFAULT;
  if (!slot) {
    // kvm_handle_noslot_fault
    if (f.isPrivate) return EFAULT;
    if (!state.config.host.mmioCaching || f.gfn > maxGfn(state)) return RET_PF_EMULATE;
    f.slot = undefined;
    f.maxLevel = 1;
    return RET_PF_CONTINUE; // map an MMIO SPTE, then EMULATE
  }
  f.slot = slot;
  if (f.isPrivate) {
    // kvm_mmu_faultin_pfn_gmem: private faults need guest_memfd; its folios are order 0.
    if (!slot.guestMemfd) return EFAULT;
    f.pfn = GMEM_PFN_BASE + slot.gmemOffsetPfn + (f.gfn - slot.baseGfn);
    f.mapWritable = !slot.readonly;
    f.maxLevel = 1;
    return RET_PF_CONTINUE;
  }
  return faultinShared(state, f, slot);
}

/** kvm_tdp_mmu_page_fault for one attempt: fault-in, huge-page level, map. */
export function kvmTdpPageFault(state: VmState, root: TdpRoot, f: KvmPageFault): number {
  const r = faultinPfn(state, f);
  if (r !== RET_PF_CONTINUE) return r;
  hugepageAdjust(state, f);
  return kvmTdpMmuMap(state, root, f);
}
