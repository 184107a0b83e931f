// s390 memslot hooks (spec part 2 §19.6; contract v2 "Memslots"): kvm_arch_prepare_memory_region
// (s390_kvm_mmu_prepare_memory_region), the 7.0 1M rule of "Allow 4k granularity for memslots"
// (06a20c3ab604), and DELETE (dat_delete_slot via gmap_unmap_gfn_range).
import { describe, expect, it } from 'vitest';
import { G2, K4, M1, hx, pf, s390Vm } from './helpers.js';

const slot = (gpa: number, size: number, hva?: number) => ({
  guestPhysAddr: hx(gpa),
  size: hx(size),
  ...(hva !== undefined ? { userspaceAddr: hx(hva) } : {}),
});

describe('kvm_arch_prepare_memory_region', () => {
  it('7.0: userspace_addr not 1M-aligned, or a size not a multiple of 1M, is EINVAL; the guest base is not checked', () => {
    const vm = s390Vm({ kernel: '7.0' });
    expect(vm.setMemslot(0, 0, slot(0, M1, 2 ** 40 + K4))).toMatchObject({
      errno: 'EINVAL',
      reason: 'userspace_addr is not 1M aligned (kvm_arch_prepare_memory_region, 7.0)',
    });
    expect(vm.setMemslot(0, 0, slot(0, M1 + K4))).toMatchObject({
      errno: 'EINVAL',
      reason: 'memory_size is not a multiple of 1M (kvm_arch_prepare_memory_region, 7.0)',
    });
    expect(vm.setMemslot(0, 0, slot(K4, M1, 2 ** 40)).ret).toBe(0);
  });
  it('7.1+: 4K granularity is allowed', () => {
    expect(s390Vm({ kernel: '7.1' }).setMemslot(0, 0, slot(0, M1 + K4, 2 ** 40 + K4)).ret).toBe(0);
  });
  it('a slot ending above mem_limit is EINVAL', () => {
    const vm = s390Vm({ s390: { memLimit: hx(G2) } });
    expect([vm.setMemslot(0, 0, slot(G2 - M1, 2 * M1)).reason, vm.setMemslot(0, 0, slot(G2 - M1, M1)).ret]).toEqual([
      'the memslot ends above mem_limit (kvm_arch_prepare_memory_region)',
      0,
    ]);
  });
  it('a UCONTROL VM has no user memslots: EINVAL', () => {
    expect(s390Vm({ type: 'ucontrol' }).setMemslot(0, 0, slot(0, M1))).toMatchObject({
      errno: 'EINVAL',
      reason: 'a UCONTROL VM has no user memslots (s390_kvm_mmu_prepare_memory_region)',
    });
  });
  it('readonly and guest_memfd are EINVAL, and only address space 0 exists', () => {
    const vm = s390Vm();
    expect([
      vm.setMemslot(0, 0, { ...slot(0, M1), flags: ['readonly'] }).errno,
      vm.setMemslot(0, 0, { ...slot(0, M1), flags: ['guest_memfd'] }).errno,
      vm.setMemslot(1, 0, slot(0, M1)).errno,
    ]).toEqual(['EINVAL', 'EINVAL', 'EINVAL']);
  });
});

describe('_commit_memory_region on DELETE: the range becomes a hole again', () => {
  it('leaves are unmapped, tables stay, and the gfn answers ENOENT', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1 }]);
    pf(vm, 0, 4 * K4);
    const tables = vm.roots()[0]!.counts.tables;
    vm.setMemslot(0, 0, slot(0, 0));
    expect([vm.mappings(), vm.roots()[0]!.counts.tables, pf(vm, 0, K4).errno]).toEqual([[], tables, 'ENOENT']);
  });
});
