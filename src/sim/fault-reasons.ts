// Why a TDP fault failed: one sentence naming the kernel check and its function, for the
// `reason` field of a failed iteration. Read from the fault's inputs after the attempt, so the fault
// path itself stays a plain RET_PF_* / -errno machine as in the kernel.

import { EAGAIN, EFAULT, EINTR, ENOMEM, RET_PF_EMULATE, type KvmPageFault } from './mmu/fault.js';
import { kernelAtLeast } from './vm-config.js';
import type { VmState } from './state.js';
import type { KernelVersion } from './types.js';

/**
 * The x86 pre-fault wrapper around kvm_mmu_do_page_fault, by its name in `kernel`: 6.19 renamed
 * kvm_tdp_map_page() to kvm_tdp_page_prefault() with no functional change (6de2fb089bb2;
 * kvm-prefault-spec-part2.md §17.1, §17.2).
 */
export const tdpPrefaultFn = (kernel: KernelVersion): string => (kernelAtLeast(kernel, '6.19') ? 'kvm_tdp_page_prefault' : 'kvm_tdp_map_page');

/** kvm_mmu_reload -> kvm_mmu_load could not allocate the root (pre-fault check C, and KVM_RUN). */
export const RELOAD_FAILED_REASON = 'kvm_mmu_reload() failed: no memory for the root page table (kvm_mmu_load)';

export function faultErrorReason(state: VmState, f: KvmPageFault, code: number): string {
  const prefaultFn = tdpPrefaultFn(state.config.kernel);
  if (code === RET_PF_EMULATE)
    return `no memslot covers the gfn: kvm_handle_noslot_fault answers RET_PF_EMULATE, which ${prefaultFn} turns into ENOENT`;
  if (code === ENOMEM) return "no memory for a page-table page: the VM's page-table budget is spent (mmu_topup_memory_caches for kvm_tdp_mmu_map)";
  if (code === EFAULT) {
    if (state.hasPrivateMem && f.isPrivate !== state.attrs.isPrivate(f.gfn))
      return "the fault's private/shared kind disagrees with the gfn's memory attributes (kvm_mmu_faultin_pfn)";
    const slot = state.slots.lookup(f.asId, f.gfn);
    if (!slot) return 'a private access to a gfn that no memslot covers (kvm_handle_noslot_fault)';
    if (f.isPrivate && !slot.guestMemfd) return 'a private access to a memslot without KVM_MEM_GUEST_MEMFD (kvm_mmu_faultin_pfn_gmem)';
    return 'the host address of the gfn is not mapped: the pfn lookup gives KVM_PFN_ERR_FAULT (kvm_handle_error_pfn)';
  }
  if (code === EAGAIN) return 'the memslot is being deleted or moved (KVM_MEMSLOT_INVALID) and the fault is a prefetch (kvm_mmu_faultin_pfn)';
  // The fault path's only EINTR: a shared page's hva_to_pfn (faultinShared); private pages come from guest_memfd.
  if (code === EINTR)
    return `the host page is poisoned: KVM_PFN_ERR_HWPOISON makes kvm_handle_error_pfn queue SIGBUS (kvm_send_hwpoison_signal) and return RET_PF_RETRY, then signal_pending(current) ends the retry loop (${prefaultFn})`;
  // Any other outcome is the pre-fault wrapper's EIO (its WARN_ON_ONCE default case).
  return `the fault ended neither FIXED, SPURIOUS nor EMULATE: WARN "could not fix page fault during prefault" (${prefaultFn})`;
}
