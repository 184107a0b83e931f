// The s390 VM ioctls the pre-fault depends on (arch/s390/kvm/kvm-s390.c and gmap/kvm_mmu.c):
// configuration (kvm_arch_init_vm with its mem_limit, KVM_CAP_S390_HPAGE_1M / _2G), the
// capability, vCPU creation, and the memslot hooks (s390_kvm_mmu_prepare_memory_region,
// _commit_memory_region).

import { ARCH_KERNELS, archKernelAtLeast, type ArchBacking, type ArchMemslotSpec } from '../arch-types.js';
import { EINVAL } from '../errno.js';
import { conflict, invalid } from '../errors.js';
import { ArchMemslotSet, kvmSetMemoryRegion, slotEnd, type ArchMemslotResult, type MemslotArchOps } from '../generic-memslots.js';
import { parseU64 } from '../u64.js';
import { Gmap, gmapLimitToType, gmapUnmapRange } from './gmap.js';
import { CrstBudget, type S390State } from './state.js';
import type { S390HostConfig, S390VcpuView, S390VmConfig, S390VmConfigInput } from './types.js';

export const DEFAULT_S390_HOST: S390HostConfig = { hpage: false, hpage2g: false, maxStorage: '0x40000000000' };
const M1 = 1n << 20n;

/** Fill the contract's defaults and refuse what the kernel cannot produce (400s naming the field). */
export function withS390Defaults(input: S390VmConfigInput): S390VmConfig {
  const host: S390HostConfig = { ...DEFAULT_S390_HOST, ...(input.host ?? {}) };
  const type = input.type ?? 'default';
  const config: S390VmConfig = {
    name: input.name,
    kernel: input.kernel ?? '7.4',
    type,
    host,
    s390: { hpage1m: input.s390?.hpage1m ?? false, hpage2g: input.s390?.hpage2g ?? false, memLimit: input.s390?.memLimit ?? host.maxStorage },
  };
  if (typeof config.name !== 'string' || config.name.length === 0) throw invalid('name', 'name must be a non-empty string');
  if (!ARCH_KERNELS.includes(config.kernel)) throw invalid('kernel', `kernel must be one of ${ARCH_KERNELS.join(', ')} on s390`);
  if (type !== 'default' && type !== 'ucontrol') throw invalid('type', 'type must be default or ucontrol on s390');
  // kvm.hpage_2g is forced off when kvm.hpage is off, and exists from 7.2 (S-CAP).
  if (host.hpage2g && !host.hpage) throw invalid('host.hpage2g', 'host.hpage2g needs host.hpage');
  if (host.hpage2g && !archKernelAtLeast(config.kernel, '7.2')) throw invalid('host.hpage2g', 'kvm.hpage_2g exists from kernel 7.2');
  // kvm_vm_ioctl_enable_cap: the module parameter must allow it; UCONTROL answers EINVAL.
  if (config.s390.hpage1m && !host.hpage) throw invalid('s390.hpage1m', 's390.hpage1m needs host.hpage (KVM_CAP_S390_HPAGE_1M)');
  if (config.s390.hpage2g && !host.hpage2g) throw invalid('s390.hpage2g', 's390.hpage2g needs host.hpage2g (KVM_CAP_S390_HPAGE_2G)');
  if (type === 'ucontrol' && (config.s390.hpage1m || config.s390.hpage2g))
    throw invalid(
      config.s390.hpage1m ? 's390.hpage1m' : 's390.hpage2g',
      'huge pages cannot be enabled on a ucontrol VM (kvm_vm_ioctl_enable_cap: EINVAL)',
    );
  const limit = parseU64(config.s390.memLimit, 's390.memLimit');
  if (limit > parseU64(host.maxStorage, 'host.maxStorage') || limit < M1)
    throw invalid('s390.memLimit', 's390.memLimit must be from 1M to host.maxStorage');
  return config;
}

/** kvm_arch_init_vm: mem_limit, and the one gmap (gmap_new) unless the VM is UCONTROL. */
export function newS390State(config: S390VmConfig, maxTableBytes: number): S390State {
  const memLimit = parseU64(config.s390.memLimit, 's390.memLimit');
  const tables = new CrstBudget(Math.max(maxTableBytes, 2048 * 8));
  return {
    config,
    memLimit,
    slots: new ArchMemslotSet(),
    gmap: config.type === 'ucontrol' ? null : new Gmap('gmap-0', gmapLimitToType(memLimit), tables),
    vcpus: new Set(),
    tables,
  };
}

/** kvm_vm_ioctl_check_extension(KVM_CAP_PRE_FAULT_MEMORY): 1 from 7.2 for every VM, UCONTROL included. */
export const s390CapPreFaultMemory = (state: S390State): number => (archKernelAtLeast(state.config.kernel, '7.2') ? 1 : 0);

export function s390CreateVcpu(state: S390State, id: number): S390VcpuView {
  if (!Number.isInteger(id) || id < 0) throw invalid('id', 'id must be a non-negative integer');
  if (state.vcpus.has(id)) throw conflict(`vCPU ${id} exists`, 'id');
  state.vcpus.add(id);
  return s390VcpuView(state, id);
}

export const s390VcpuView = (state: S390State, id: number): S390VcpuView => ({
  id,
  mmu: { kind: 'gmap', rootRole: null },
  loadedRoot: state.gmap?.id ?? null,
});

function checkBacking(b: ArchBacking | undefined): void {
  if (b?.pageSize === undefined) return;
  const size = b.pageSize;
  if (size === '4K' || size === '1M' || (size === '2G' && b.hugetlb === true)) return;
  throw invalid('backing.pageSize', `backing.pageSize ${size} is not an s390 host folio size (4K, 1M, or 2G with hugetlb)`);
}

function ops(state: S390State): MemslotArchOps {
  return {
    hostPage: '4K',
    // KVM_INTERNAL_MEM_SLOTS: the UCONTROL fake memslot ("KVM: s390: fake memslot for ucontrol VMs").
    internalMemSlots: 1,
    // s390 has no read-only memslots and no guest_memfd (spec §21.6: expected EINVAL, not read).
    readonlyMem: false,
    guestMemfd: false,
    checkBacking,
    prepare: (p) => {
      if (state.config.type === 'ucontrol') return { r: EINVAL, reason: 'a UCONTROL VM has no user memslots (s390_kvm_mmu_prepare_memory_region)' };
      // 7.0 only: the hva and size must be 1M-aligned; "Allow 4k granularity for memslots" (06a20c3ab604) drops it in 7.1.
      if (!archKernelAtLeast(state.config.kernel, '7.1')) {
        if (p.hva % M1 !== 0n) return { r: EINVAL, reason: 'userspace_addr is not 1M aligned (kvm_arch_prepare_memory_region, 7.0)' };
        if (p.size % M1 !== 0n) return { r: EINVAL, reason: 'memory_size is not a multiple of 1M (kvm_arch_prepare_memory_region, 7.0)' };
      }
      if (p.gpa + p.size > state.memLimit) return { r: EINVAL, reason: 'the memslot ends above mem_limit (kvm_arch_prepare_memory_region)' };
      return null;
    },
    // Only a VM with a gmap has slots to flush: prepare refuses every slot of a UCONTROL VM.
    flush: (slot) => gmapUnmapRange(state.gmap!, slot.baseGfn, slotEnd(slot)),
    // gmap_sync_dirty_log tracks dirtiness with protection and soft-dirty; no level limit and no change at enable time in the code read.
    logDirtyChanged: () => undefined,
  };
}

/** KVM_SET_USER_MEMORY_REGION2 on an s390 VM. */
export const s390SetMemoryRegion = (state: S390State, asId: number, id: number, spec: ArchMemslotSpec): ArchMemslotResult =>
  kvmSetMemoryRegion(state.slots, asId, id, spec, ops(state));
