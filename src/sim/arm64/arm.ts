// The arm64 VM and vCPU ioctls the pre-fault depends on (arch/arm64/kvm/arm.c): VM
// configuration (KVM_VM_TYPE_ARM_IPA_SIZE, kvm_init_ipa_range), KVM_CHECK_EXTENSION for
// KVM_CAP_PRE_FAULT_MEMORY, vCPU creation (uninitialised until KVM_ARM_VCPU_INIT) and the
// nested stage-2 a vCPU that last ran an L2 points at.

import { ARCH_KERNELS, archKernelAtLeast } from '../arch-types.js';
import { conflict, invalid, notFound } from '../errors.js';
import { S2Root } from './pgtable.js';
import type { Arm64State, Arm64Vcpu } from './state.js';
import type { Arm64HostConfig, Arm64VcpuPatch, Arm64VcpuSpec, Arm64VcpuView, Arm64VmConfig, Arm64VmConfigInput } from './types.js';

export const DEFAULT_ARM64_HOST: Arm64HostConfig = { granule: '4K', ipaLimit: 48, pkvm: false, nestedVirt: false, fwb: true, cacheDic: false };
/** KVM_PHYS_SHIFT: the IPA size of a VM created with type 0. */
export const KVM_PHYS_SHIFT = 40;
const IPA_LIMITS = [32, 36, 40, 42, 44, 48, 52];

/** Fill the contract's defaults and refuse what the kernel cannot produce (400s naming the field). */
export function withArm64Defaults(input: Arm64VmConfigInput): Arm64VmConfig {
  const host: Arm64HostConfig = { ...DEFAULT_ARM64_HOST, ...(input.host ?? {}) };
  const config: Arm64VmConfig = {
    name: input.name,
    kernel: input.kernel ?? '7.4',
    type: input.type ?? 'default',
    host,
    arm64: { ipaBits: input.arm64?.ipaBits ?? KVM_PHYS_SHIFT },
  };
  if (typeof config.name !== 'string' || config.name.length === 0) throw invalid('name', 'name must be a non-empty string');
  if (!ARCH_KERNELS.includes(config.kernel)) throw invalid('kernel', `kernel must be one of ${ARCH_KERNELS.join(', ')} on arm64`);
  if (config.type !== 'default') throw invalid('type', 'arm64 VMs have type default only');
  if (!['4K', '16K', '64K'].includes(host.granule)) throw invalid('host.granule', 'host.granule must be 4K, 16K or 64K');
  if (!IPA_LIMITS.includes(host.ipaLimit)) throw invalid('host.ipaLimit', `host.ipaLimit must be one of ${IPA_LIMITS.join(', ')}`);
  if (host.ipaLimit === 52 && host.granule !== '64K') throw invalid('host.ipaLimit', 'host.ipaLimit 52 needs the 64K granule (LPA2 is not modelled)');
  // kvm_init_ipa_range: 32 <= ipa <= get_kvm_ipa_limit(); type 0 means 40 bits, refused when the host limit is lower.
  const ipa = config.arm64.ipaBits;
  if (!Number.isInteger(ipa) || ipa < 32 || ipa > host.ipaLimit)
    throw invalid('arm64.ipaBits', `arm64.ipaBits must be an integer from 32 to host.ipaLimit (${host.ipaLimit}) (kvm_init_ipa_range)`);
  return config;
}

/** kvm_vm_ioctl_check_extension(KVM_CAP_PRE_FAULT_MEMORY): 1 from 7.4, 0 on a pKVM host (kvm_pkvm_ext_allowed). */
export const arm64CapPreFaultMemory = (state: Arm64State): number =>
  archKernelAtLeast(state.config.kernel, '7.4') && !state.config.host.pkvm ? 1 : 0;

/** A vCPU whose last run was an L2 points its hw_mmu at a nested (shadow) stage-2 of the canonical geometry. */
function newNestedRoot(state: Arm64State): S2Root {
  return new S2Root(`s2-${state.nextRootId++}`, 's2-nested', state.geo, state.tables);
}

/** KVM_CREATE_VCPU (+ KVM_ARM_VCPU_INIT when `initialized`): every vCPU starts uninitialised (kvm_arch_vcpu_create). */
export function arm64CreateVcpu(state: Arm64State, spec: Arm64VcpuSpec): Arm64VcpuView {
  if (!Number.isInteger(spec.id) || spec.id < 0) throw invalid('id', 'id must be a non-negative integer');
  if (state.vcpus.has(spec.id)) throw conflict(`vCPU ${spec.id} exists`, 'id');
  const el2 = spec.el2 ?? false;
  if (el2 && !state.config.host.nestedVirt) throw invalid('el2', 'el2 needs host.nestedVirt (KVM_ARM_VCPU_HAS_EL2 without kvm-arm.mode=nested)');
  const vcpu: Arm64Vcpu = { id: spec.id, initialized: spec.initialized ?? true, el2, lastRanNested: false, nested: null };
  state.vcpus.set(spec.id, vcpu);
  if (spec.lastRanNested) arm64PatchVcpu(state, spec.id, { lastRanNested: true });
  return arm64VcpuView(vcpu, state);
}

/** PATCH: KVM_ARM_VCPU_INIT (false -> true only) and whether the vCPU last ran nested. */
export function arm64PatchVcpu(state: Arm64State, id: number, patch: Arm64VcpuPatch): Arm64VcpuView {
  const vcpu = state.vcpus.get(id);
  if (!vcpu) throw notFound(`no vCPU ${id}`);
  if (patch.initialized !== undefined) {
    if (!patch.initialized && vcpu.initialized) throw conflict('a vCPU cannot be un-initialised', 'initialized');
    vcpu.initialized = patch.initialized;
  }
  if (patch.lastRanNested !== undefined) {
    if (patch.lastRanNested && (!vcpu.el2 || !vcpu.initialized)) throw invalid('lastRanNested', 'lastRanNested needs el2 and an initialised vCPU');
    vcpu.lastRanNested = patch.lastRanNested;
    if (patch.lastRanNested && !vcpu.nested) vcpu.nested = newNestedRoot(state);
    if (!patch.lastRanNested && vcpu.nested) {
      state.tables.free(vcpu.nested.counts.tables);
      vcpu.nested = null;
    }
  }
  return arm64VcpuView(vcpu, state);
}

export function arm64VcpuView(v: Arm64Vcpu, state: Arm64State): Arm64VcpuView {
  return {
    id: v.id,
    initialized: v.initialized,
    el2: v.el2,
    lastRanNested: v.lastRanNested,
    mmu: { kind: v.nested ? 's2-nested' : 's2-canonical', rootRole: null },
    loadedRoot: (v.nested ?? state.canonical).id,
  };
}
