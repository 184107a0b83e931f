// Which MMU a vCPU runs on and which TDP root role it needs.

import type { HostConfig, MmuView, RootRef } from '../types.js';

export interface RootRole {
  level: number;
  smm: boolean;
  guestMode: boolean;
  adDisabled: boolean;
  mirror: boolean;
}

/** The vCPU state the MMU choice depends on. */
export interface VcpuMode {
  maxPhysAddr: number;
  smm: boolean;
  guestMode: boolean;
  nestedTdp: boolean;
}

export type MmuKind = MmuView['kind'];

/** kvm_init_mmu: nested MMU for L2 under nested EPT/NPT, else TDP, else shadow paging. */
export function currentMmuKind(host: HostConfig, mode: VcpuMode): MmuKind {
  if (mode.guestMode && mode.nestedTdp && host.tdp) return 'nested-tdp-shadow';
  if (!host.tdp) return 'shadow';
  return 'tdp';
}

/** kvm_mmu_get_tdp_level: AMD forces the host paging level; Intel picks 4 unless the guest needs 5. */
export function tdpRootLevel(host: HostConfig, guestMaxPhysAddr: number): number {
  if (host.vendor === 'amd') return host.pagingLevel;
  if (host.maxTdpLevel === 5 && guestMaxPhysAddr <= 48) return 4;
  return host.maxTdpLevel;
}

/**
 * kvm_calc_tdp_mmu_root_page_role: the variable bits of a TDP root's role word. For a TD,
 * kvm_mmu_get_tdp_level reads the GPAW (cpuid_query_maxguestphyaddr), not the vCPU's MAXPHYADDR.
 */
export function tdpRootRole(host: HostConfig, mode: VcpuMode, mirror = false, tdxGpaw?: number): RootRole {
  return {
    level: tdpRootLevel(host, tdxGpaw ?? mode.maxPhysAddr),
    smm: mode.smm,
    guestMode: mode.guestMode,
    // EPT without A/D bits; NPT always has them.
    adDisabled: host.vendor === 'intel' && !host.adBits,
    mirror,
  };
}

/** role.word equality: the constant bits (direct, access, cr0_wp, efer_nx) never differ for TDP roots. */
export const sameRole = (a: RootRole, b: RootRole): boolean =>
  a.level === b.level && a.smm === b.smm && a.guestMode === b.guestMode && a.adDisabled === b.adDisabled && a.mirror === b.mirror;

/** kvm_mmu_role_as_id: a role's memslots are those of address space role.smm. */
export const roleAddressSpace = (role: RootRole): number => (role.smm ? 1 : 0);

export const roleView = (role: RootRole): Omit<RootRef, 'id'> => ({
  level: role.level,
  smm: role.smm,
  guestMode: role.guestMode,
  addressSpace: roleAddressSpace(role),
  adDisabled: role.adDisabled,
  mirror: role.mirror,
});
