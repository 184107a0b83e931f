// vCPUs: creation, mode changes (KVM_SET_VCPU_EVENTS / KVM_SET_NESTED_STATE /
// KVM_SET_CPUID2) and the view of their current MMU.

import { conflict, invalid, overLimit } from './errors.js';
import { kvmMmuUnload } from './mmu/load.js';
import { currentMmuKind, roleView, tdpRootRole, type VcpuMode } from './mmu/role.js';
import { kvmGfnDirectBits, type Vcpu, type VmState } from './state.js';
import type { VcpuModePatch, VcpuSpec, VcpuView } from './types.js';

/** KVM_MAX_VCPU_IDS on x86 (kvm_vm_ioctl_create_vcpu refuses ids at or above it). */
export const KVM_MAX_VCPU_IDS = 4096;

function checkMode(state: VmState, mode: VcpuMode, field: string): void {
  if (!Number.isInteger(mode.maxPhysAddr) || mode.maxPhysAddr < 32 || mode.maxPhysAddr > 52)
    throw invalid(`${field}maxPhysAddr`, 'maxPhysAddr must be an integer from 32 to 52');
  // vmx/svm_set_nested_state: "SMM temporarily disables VMX/SVM" -> EINVAL.
  if (mode.smm && mode.guestMode)
    throw conflict(
      'a vCPU in SMM cannot be in guest mode (KVM_SET_NESTED_STATE refuses it with EINVAL; an SMI leaves L2 first)',
      `${field}guestMode`,
    );
  if (state.config.type === 'tdx' && (mode.smm || mode.guestMode))
    throw conflict('TDX vCPUs have neither SMM nor nested virtualization', mode.smm ? `${field}smm` : `${field}guestMode`);
}

/**
 * A TD vCPU reads its width from the TD (tdx_read_cpuid reports the GPAW fixed at
 * KVM_TDX_INIT_VM, 48 or 52); other vCPUs default to the contract's 46.
 */
function defaultMaxPhysAddr(state: VmState): number {
  const sharedBit = kvmGfnDirectBits(state);
  return sharedBit ? Math.log2(sharedBit) + 12 + 1 : 46;
}

export function createVcpu(state: VmState, spec: VcpuSpec): Vcpu {
  if (!Number.isInteger(spec.id) || spec.id < 0 || spec.id >= KVM_MAX_VCPU_IDS)
    throw invalid('id', `vCPU id must be an integer from 0 to ${KVM_MAX_VCPU_IDS - 1}`);
  if (state.vcpus.has(spec.id)) throw conflict(`vCPU ${spec.id} already exists`, 'id');
  if (state.vcpus.size >= state.limits.maxVcpus) throw overLimit(`this server allows at most ${state.limits.maxVcpus} vCPUs per VM`, 'id');
  const mode: VcpuMode = {
    maxPhysAddr: spec.maxPhysAddr ?? defaultMaxPhysAddr(state),
    smm: spec.smm ?? false,
    guestMode: spec.guestMode ?? false,
    nestedTdp: spec.nestedTdp ?? true,
  };
  checkMode(state, mode, '');
  const vcpu: Vcpu = { id: spec.id, mode, root: null, mirrorRoot: null };
  state.vcpus.set(spec.id, vcpu);
  return vcpu;
}

/** A mode change resets the MMU context: the vCPU unloads its roots; the VM keeps them. */
export function setVcpuMode(state: VmState, vcpu: Vcpu, patch: VcpuModePatch): void {
  const next: VcpuMode = { ...vcpu.mode };
  if (patch.maxPhysAddr !== undefined) next.maxPhysAddr = patch.maxPhysAddr;
  if (patch.nestedTdp !== undefined) next.nestedTdp = patch.nestedTdp;
  // KVM_SET_VCPU_EVENTS applies SMM first, and an SMM flip leaves nested mode (kvm_leave_nested).
  if (patch.smm !== undefined && patch.smm !== next.smm) {
    next.smm = patch.smm;
    if (patch.guestMode === undefined) next.guestMode = false;
  }
  if (patch.guestMode !== undefined) next.guestMode = patch.guestMode;
  checkMode(state, next, '');
  vcpu.mode = next;
  kvmMmuUnload(state, vcpu);
}

export function vcpuView(state: VmState, vcpu: Vcpu): VcpuView {
  const kind = currentMmuKind(state.config.host, vcpu.mode);
  return {
    id: vcpu.id,
    maxPhysAddr: vcpu.mode.maxPhysAddr,
    smm: vcpu.mode.smm,
    guestMode: vcpu.mode.guestMode,
    nestedTdp: vcpu.mode.nestedTdp,
    mmu: { kind, rootRole: kind === 'tdp' ? roleView(tdpRootRole(state.config.host, vcpu.mode, false, state.config.tdxGpaw)) : null },
    loadedRoot: vcpu.root && !vcpu.root.invalid ? vcpu.root.id : null,
  };
}
