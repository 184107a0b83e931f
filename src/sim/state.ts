// The state of one simulated VM, shared by the fault path, the ioctls and inspection.
// Kept as plain data so every module can take it without circular imports.

import { PrivateRanges } from './attributes.js';
import { DEFAULT_ENGINE, kernelAtLeast, tdxSharedBitGfn } from './vm-config.js';
import { MemslotSet } from './memslots.js';
import type { VcpuMode } from './mmu/role.js';
import { RootSet, type TdpRoot } from './mmu/roots.js';
import type { TracepointSink } from './mmu/tracepoint.js';
import type { EngineOptions, VmConfig, VmLimits } from './types.js';

export interface Vcpu {
  readonly id: number;
  mode: VcpuMode;
  /** vcpu->arch.mmu->root: the root loaded now (null after a context reset, until reload). */
  root: TdpRoot | null;
  /** TDX only: the mirror root loaded beside the direct one. */
  mirrorRoot: TdpRoot | null;
}

/** Kernel-version switches of spec §12, resolved once per VM. */
export interface KernelSwitches {
  /** 6.15 (20a6cff3b283): the reload frees obsolete roots; before, a prefault spins. */
  reloadFreesObsoleteRoots: boolean;
  /** 6.16 (ea9fcdf76d3d): a spurious prefetch needs a present *leaf*. */
  spuriousNeedsLeaf: boolean;
  /**
   * 6.13 (386d69f9f29b, 6.13-rc4), TDP MMU only: a fault whose access the present leaf
   * already allows is spurious (tdp_mmu_map_handle_target_level; mmu_set_spte has no such check).
   */
  accessAllowedSpurious: boolean;
  /** 6.12: KVM_X86_QUIRK_SLOT_ZAP_ALL exists; before, every slot delete zaps all roots. */
  slotZapAllQuirk: boolean;
  /** 6.13: turning dirty logging off rebuilds huge SPTEs in place; before, it zaps the tables. */
  recoverHugePagesInPlace: boolean;
  /** 6.13 (6385d01eec16): a prefetch over any present SPTE is spurious; before, make_spte rebuilds it. */
  prefetchSpuriousOverPresent: boolean;
  /**
   * 6.13 (cc7ed3358e41 and the A/D rework of the 6.13 MMU pull): D always set with W, and
   * EPT A/D bits written and read even with hardware A/D disabled (is_dirty_spte gone).
   */
  adBitsAlways: boolean;
}

export interface VmState {
  readonly config: VmConfig;
  readonly limits: VmLimits;
  readonly switches: KernelSwitches;
  /** kvm_arch_has_private_mem: sw_protected, sev_snp, tdx. */
  readonly hasPrivateMem: boolean;
  /** kvm->arch.has_protected_state: sev_es, sev_snp, tdx (no read-only memslots). */
  readonly hasProtectedState: boolean;
  preFaultAllowed: boolean;
  finalized: boolean;
  readonly slots: MemslotSet;
  readonly attrs: PrivateRanges;
  readonly roots: RootSet;
  readonly vcpus: Map<number, Vcpu>;
  /** The legacy MMU (tdp_mmu=0): direct_map runs direct_pte_prefetch (which checks the root for A/D bits). */
  readonly legacyPrefetch: boolean;
  /** EngineOptions.pageRuns: the pre-fault loop may batch a run of 4K faults. */
  readonly pageRuns: boolean;
  /** The tracepoint sink of the operation being applied (undefined: tracing off). */
  trace: TracepointSink;
  /**
   * While a guest access runs: the [gfn, gfn + pages) ranges whose leaves the call
   * installed or changed (flattened pairs), so its answer can list them as they end up.
   */
  changeLog: number[] | undefined;
}

export function newVmState(config: VmConfig, limits: VmLimits, engine: EngineOptions = DEFAULT_ENGINE): VmState {
  const t = config.type;
  return {
    config,
    limits,
    switches: {
      reloadFreesObsoleteRoots: kernelAtLeast(config.kernel, '6.15'),
      spuriousNeedsLeaf: kernelAtLeast(config.kernel, '6.16'),
      accessAllowedSpurious: config.host.tdpMmu && kernelAtLeast(config.kernel, '6.13'),
      slotZapAllQuirk: kernelAtLeast(config.kernel, '6.12'),
      recoverHugePagesInPlace: kernelAtLeast(config.kernel, '6.13'),
      prefetchSpuriousOverPresent: kernelAtLeast(config.kernel, '6.13'),
      adBitsAlways: kernelAtLeast(config.kernel, '6.13'),
    },
    hasPrivateMem: t === 'sw_protected' || t === 'sev_snp' || t === 'tdx',
    hasProtectedState: t === 'sev_es' || t === 'sev_snp' || t === 'tdx',
    // kvm_arch_init_vm / svm_vm_init: allowed at once unless SNP or TDX (set at finalize).
    preFaultAllowed: t !== 'sev_snp' && t !== 'tdx',
    finalized: false,
    slots: new MemslotSet(),
    attrs: new PrivateRanges(),
    roots: new RootSet(limits.maxTableBytes, kernelAtLeast(config.kernel, '6.13')),
    vcpus: new Map(),
    legacyPrefetch: !config.host.tdpMmu,
    pageRuns: engine.pageRuns,
    trace: undefined,
    changeLog: undefined,
  };
}

/**
 * kvm_gfn_direct_bits: the TDX shared bit as a gfn bit, one per TD (0 for other VM types).
 * Zaps of the direct root add it (kvm_gfn_root_bits), so they reach the shared aliases.
 */
export function kvmGfnDirectBits(state: VmState): number {
  return tdxSharedBitGfn(state.config); // fixed at KVM_TDX_INIT_VM from the TD's GPAW
}

/** kvm_mmu_max_gfn: the highest gfn the host's MAXPHYADDR can address. */
export const maxGfn = (state: VmState): number => 2 ** (state.config.host.maxPhysAddr - 12) - 1;
