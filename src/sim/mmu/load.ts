// kvm_mmu_reload -> kvm_mmu_load -> mmu_alloc_direct_roots: give the vCPU a root for its
// current role, reusing the VM-wide one when it exists.

import type { Vcpu, VmState } from '../state.js';
import { ENOMEM } from './internal.js';
import { tdpRootRole, type VcpuMode } from './role.js';
import { TableBudgetExceeded, type TdpRoot } from './roots.js';

/** kvm_mmu_unload (kvm_mmu_reset_context): the vCPU drops its roots; the VM keeps them. */
export function kvmMmuUnload(state: VmState, vcpu: Vcpu): void {
  vcpu.root = null;
  vcpu.mirrorRoot = null;
  pruneObsoleteRoots(state);
}

/**
 * kvm_mmu_free_obsolete_roots: obsolete roots go once no vCPU holds them. Only direct roots
 * become obsolete: kvm_mmu_zap_all_fast invalidates KVM_DIRECT_ROOTS, and a TD (6.16+) never
 * zaps all, so its mirror root lives as long as the VM.
 */
export function pruneObsoleteRoots(state: VmState): void {
  state.roots.prune((r: TdpRoot) => [...state.vcpus.values()].some((v) => v.root === r));
}

/** KVM_REQ_MMU_FREE_OBSOLETE_ROOTS, serviced on KVM_RUN (and by the 6.15+ prefault reload). */
export function freeObsoleteRootsOf(state: VmState, vcpu: Vcpu): void {
  if (vcpu.root?.invalid) kvmMmuUnload(state, vcpu);
}

/**
 * Returns 0 with vcpu.root set, or -ENOMEM. Before 6.15 a vCPU that still holds an
 * obsolete root keeps it (root.hpa is valid, so nothing is reloaded): callers see
 * `vcpu.root.invalid` and must treat every fault as stale.
 */
export function kvmMmuReload(state: VmState, vcpu: Vcpu, mode: VcpuMode, freeObsolete: boolean): number {
  if (freeObsolete) freeObsoleteRootsOf(state, vcpu);
  if (vcpu.root) return 0;
  try {
    const gpaw = state.config.tdxGpaw;
    vcpu.root = state.roots.getOrAlloc(tdpRootRole(state.config.host, mode, false, gpaw));
    // tdx: the mirror (private) root is allocated at the same reload (kvm_tdp_mmu_alloc_root).
    if (state.config.type === 'tdx') vcpu.mirrorRoot = state.roots.getOrAlloc(tdpRootRole(state.config.host, mode, true, gpaw));
    return 0;
  } catch (e) {
    if (e instanceof TableBudgetExceeded) return ENOMEM;
    throw e;
  }
}
