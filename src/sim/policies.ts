// The three designs debated for KVM_PRE_FAULT_MEMORY (spec §9), reduced to what differs:
// which vCPU mode the call maps for, and whether it refuses before the generic checks.

import { currentMmuKind, type MmuKind, type VcpuMode } from './mmu/role.js';
import type { HostConfig, PrefaultPolicy } from './types.js';

export interface PolicyDecision {
  /** EOPNOTSUPP before check A (R1 of reject-smm-guest-mode, S1 of switch-root-mmu). */
  refuseEarly: boolean;
  /** The mode the MMU is computed from for this call. */
  mode: VcpuMode;
  /** The MMU the fault runs on (check G tests it). */
  mmuKind: MmuKind;
  /** switch-root-mmu swapped the vCPU's MMU: the context is reset on entry and exit. */
  switched: boolean;
}

export function decidePolicy(policy: PrefaultPolicy, host: HostConfig, mode: VcpuMode): PolicyDecision {
  const kind = currentMmuKind(host, mode);
  switch (policy) {
    case 'upstream':
      // Merged design: map for the current MMU; check G refuses non-TDP MMUs.
      return { refuseEarly: false, mode, mmuKind: kind, switched: false };
    case 'reject-smm-guest-mode':
      // 20240416014931.GW3039520@ls.amr.corp.intel.com: refuse SMM and guest mode outright.
      return { refuseEarly: !host.tdp || mode.smm || mode.guestMode, mode, mmuKind: kind, switched: false };
    case 'switch-root-mmu': {
      // v2 07/10 "Always populate L1 GPA": clear SMM and force root_mmu; L2 keeps guest_mode (S5).
      if (!host.tdp) return { refuseEarly: true, mode, mmuKind: kind, switched: false };
      const switched = mode.smm || kind !== 'tdp';
      return { refuseEarly: false, mode: switched ? { ...mode, smm: false } : mode, mmuKind: 'tdp', switched };
    }
  }
}
