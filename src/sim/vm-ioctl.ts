// VM-scope ioctls other than memslots: KVM_SET_MEMORY_ATTRIBUTES and the confidential-VM
// finalisation (SNP LAUNCH_FINISH / TDX FINALIZE_VM).

import { EINVAL, ENOTTY, errnoName } from './errno.js';
import { zapGfnRangeAllRoots } from './mmu/zap.js';
import type { VmState } from './state.js';
import type { IoctlResult } from './types.js';
import { U64_MAX, isPageAligned } from './u64.js';

const ioctl = (r: number): IoctlResult => ({ ret: r, errno: errnoName(r) });

/** kvm_vm_ioctl_set_mem_attributes: validate, then zap the range and record it. */
export function setMemoryAttributes(state: VmState, address: bigint, size: bigint, isPrivate: boolean): IoctlResult {
  // kvm_supported_mem_attributes: PRIVATE only for VMs with private memory.
  if (isPrivate && !state.hasPrivateMem) return ioctl(EINVAL);
  if (size === 0n || address + size > U64_MAX + 1n) return ioctl(EINVAL);
  if (!isPageAligned(address) || !isPageAligned(size)) return ioctl(EINVAL);
  if (!state.hasPrivateMem) return ioctl(0); // clearing attributes that cannot be set: nothing to do
  const start = Number(address >> 12n);
  const end = start + Number(size >> 12n);
  // kvm_vm_set_mem_attributes: a range that already has the attributes is left alone.
  const alreadyPrivate = !state.attrs.mixed(start, end) && state.attrs.isPrivate(start);
  if (alreadyPrivate === isPrivate) return ioctl(0);
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
  if (t === 'default' || t === 'sw_protected') return ioctl(ENOTTY);
  if (state.finalized) return ioctl(EINVAL);
  state.finalized = true;
  if (t === 'sev_snp' || t === 'tdx') state.preFaultAllowed = true;
  return ioctl(0);
}
