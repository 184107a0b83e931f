// VM-scope ioctls other than memslots: KVM_SET_MEMORY_ATTRIBUTES and the confidential-VM
// finalisation (SNP LAUNCH_FINISH / TDX FINALIZE_VM).

import { EINVAL, ENOTTY, ioctlResult as ioctl } from './errno.js';
import { zapGfnRangeAllRoots } from './mmu/zap.js';
import type { VmState } from './state.js';
import type { IoctlResult } from './types.js';
import { U64_MAX, isPageAligned } from './u64.js';

/** kvm_vm_ioctl_set_mem_attributes: validate, then zap the range and record it. */
export function setMemoryAttributes(state: VmState, address: bigint, size: bigint, isPrivate: boolean): IoctlResult {
  // kvm_supported_mem_attributes: PRIVATE only for VMs with private memory.
  if (isPrivate && !state.hasPrivateMem)
    return ioctl(EINVAL, 'KVM_MEMORY_ATTRIBUTE_PRIVATE is not in kvm_supported_mem_attributes() for this VM type (kvm_vm_ioctl_set_mem_attributes)');
  if (size === 0n) return ioctl(EINVAL, 'size is 0 (kvm_vm_ioctl_set_mem_attributes)');
  if (address + size > U64_MAX + 1n) return ioctl(EINVAL, 'address + size wraps (kvm_vm_ioctl_set_mem_attributes)');
  if (!isPageAligned(address) || !isPageAligned(size)) return ioctl(EINVAL, 'address or size is not page aligned (kvm_vm_ioctl_set_mem_attributes)');
  if (!state.hasPrivateMem) return ioctl(0); // clearing attributes that cannot be set: nothing to do
  const start = Number(address >> 12n);
  const end = start + Number(size >> 12n);
  // kvm_vm_set_mem_attributes: "Nothing to do if the entire range as the desired attributes"
  // (kvm_range_has_memory_attributes). A range partly private is changed either way.
  if (!state.attrs.mixed(start, end) && state.attrs.isPrivate(start) === isPrivate) return ioctl(0);
  // kvm_arch_pre_set_memory_attributes: zap the range in every root, then store.
  zapGfnRangeAllRoots(state, start, end);
  state.attrs.set(start, end, isPrivate);
  return ioctl(0);
}

/**
 * POST /finalize: snp_launch_finish / tdx_td_finalize set pre_fault_allowed; a second call
 * is refused (tdx_td_finalize: state already RUNNABLE -> EINVAL). SEV/SEV-ES LAUNCH_FINISH
 * changes nothing this simulator models; VMs without a launch flow answer ENOTTY
 * (KVM_MEMORY_ENCRYPT_OP with no mem_enc_ioctl).
 */
export function finalizeVm(state: VmState): IoctlResult {
  const t = state.config.type;
  if (t === 'default' || t === 'sw_protected')
    return ioctl(ENOTTY, 'the VM type has no launch flow, kvm_x86_ops.mem_enc_ioctl is not set (kvm_arch_vm_ioctl, KVM_MEMORY_ENCRYPT_OP)');
  if (state.finalized)
    return ioctl(
      EINVAL,
      t === 'tdx'
        ? 'the TD is already finalized: its state is not TD_STATE_INITIALIZED (tdx_td_finalize)'
        : 'the guest was already launched: LAUNCH_FINISH runs once (snp_launch_finish / sev_launch_finish)',
    );
  state.finalized = true;
  if (t === 'sev_snp' || t === 'tdx') state.preFaultAllowed = true;
  return ioctl(0);
}
