// The arm64 memslot hooks (arch/arm64/kvm/mmu.c): kvm_arch_prepare_memory_region (no slot
// past the IPA space), kvm_arch_flush_shadow_memslot (unmap the canonical and nested
// stage-2s; tables may remain) and kvm_arch_commit_memory_region (logging on: write-protect;
// eager splitting is off by default, chunk size 0).

import type { ArchBacking, ArchLevelName, ArchMemslotSpec } from '../arch-types.js';
import { EFAULT } from '../errno.js';
import { invalid } from '../errors.js';
import { kvmSetMemoryRegion, slotEnd, type ArchMemslot, type ArchMemslotResult, type MemslotArchOps } from '../generic-memslots.js';
import { kvmPgtableStage2Unmap, kvmPgtableStage2Wrprotect, type Granule } from './pgtable.js';
import type { Arm64State } from './state.js';

/** Contract "backing" table: THP/anonymous sizes, and the extra hugetlbfs sizes, per granule. */
const BACKING: Record<Granule, { plain: ArchLevelName[]; hugetlb: ArchLevelName[] }> = {
  '4K': { plain: ['4K', '2M'], hugetlb: ['64K', '2M', '32M', '1G'] },
  '16K': { plain: ['16K', '32M'], hugetlb: ['2M', '32M', '1G'] },
  '64K': { plain: ['64K', '512M'], hugetlb: ['2M', '512M', '16G'] },
};

function checkBacking(granule: Granule, b: ArchBacking | undefined): void {
  if (b?.pageSize === undefined) return;
  const size = b.pageSize;
  const ok = BACKING[granule].plain.includes(size) || (b.hugetlb === true && BACKING[granule].hugetlb.includes(size));
  if (!ok)
    throw invalid(
      'backing.pageSize',
      `backing.pageSize ${size} is not a host mapping size of a ${granule} arm64 host${b.hugetlb ? '' : ' without hugetlb'}`,
    );
}

/** The nested stage-2s, unmapped with the canonical one (kvm_nested_unmap_cipa_range). */
const allRoots = (state: Arm64State) => [state.canonical, ...[...state.vcpus.values()].flatMap((v) => (v.nested ? [v.nested] : []))];

function ops(state: Arm64State): MemslotArchOps {
  return {
    hostPage: state.config.host.granule,
    // arm64 defines no KVM_INTERNAL_MEM_SLOTS (the generic header's default is 0).
    internalMemSlots: 0,
    readonlyMem: true,
    guestMemfd: true,
    checkBacking: (b) => checkBacking(state.config.host.granule, b),
    prepare: (p) =>
      // kvm_arch_prepare_memory_region: "Prevent userspace from creating a memory region outside of the IPA space".
      p.gpa + p.size > 1n << BigInt(state.geo.ipaBits)
        ? { r: EFAULT, reason: 'the memslot ends above the VM IPA size, kvm_phys_size() (kvm_arch_prepare_memory_region)' }
        : null,
    flush: (slot: ArchMemslot) => {
      for (const root of allRoots(state)) kvmPgtableStage2Unmap(root, slot.baseGfn, slotEnd(slot));
    },
    logDirtyChanged: (slot: ArchMemslot) => {
      // kvm_mmu_wp_memory_region + kvm_nested_s2_wp; kvm_mmu_split_memory_region does nothing with chunk size 0.
      if (slot.logDirtyPages) for (const root of allRoots(state)) kvmPgtableStage2Wrprotect(root, slot.baseGfn, slotEnd(slot));
    },
  };
}

/** KVM_SET_USER_MEMORY_REGION2 on an arm64 VM. */
export const arm64SetMemoryRegion = (state: Arm64State, asId: number, id: number, spec: ArchMemslotSpec): ArchMemslotResult =>
  kvmSetMemoryRegion(state.slots, asId, id, spec, ops(state));
