// arm64 memslot hooks (spec part 2 §18.2 P1, §18.10; contract v2 "Memslots"):
// kvm_arch_prepare_memory_region, kvm_arch_flush_shadow_memslot, kvm_arch_commit_memory_region.
import { describe, expect, it } from 'vitest';
import { G1, K4, M2, arm64Vm, counts, hx, pf } from './helpers.js';

describe('kvm_arch_prepare_memory_region', () => {
  it('a slot ending above 2^ipaBits is EFAULT; one ending exactly there is accepted', () => {
    const vm = arm64Vm({ arm64: { ipaBits: 36 } });
    expect(vm.setMemslot(0, 0, { guestPhysAddr: hx(2 ** 36 - M2), size: hx(2 * M2) }).errno).toBe('EFAULT');
    expect(vm.setMemslot(0, 0, { guestPhysAddr: hx(2 ** 36 - M2), size: hx(M2) }).ret).toBe(0);
  });
  it('only address space 0 exists (kvm_arch_nr_memslot_as_ids is 1): EINVAL', () => {
    expect(arm64Vm().setMemslot(1, 0, { guestPhysAddr: hx(G1), size: hx(M2) }).errno).toBe('EINVAL');
  });
  it('guest_memfd with dirty logging is EINVAL (check_memory_region_flags)', () => {
    expect(arm64Vm().setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(M2), flags: ['guest_memfd', 'log_dirty_pages'] }).errno).toBe('EINVAL');
  });
  it('backing sizes follow the granule: 32M THP is refused on a 4K host without hugetlb', () => {
    expect(() => arm64Vm().setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(G1), backing: { pageSize: '32M' } })).toThrow(/backing.pageSize/);
  });
});

describe('kvm_arch_flush_shadow_memslot: DELETE unmaps the range; tables may remain', () => {
  it('after delete the leaves are gone, the tables stay, and the gpa is ENOENT', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    pf(vm, G1, 4 * K4);
    const tables = counts(vm).tables;
    expect(vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: '0x0' }).ret).toBe(0);
    expect([vm.mappings(), counts(vm).tables, pf(vm, G1, K4).errno]).toEqual([[], tables, 'ENOENT']);
  });
});

describe('kvm_arch_commit_memory_region: turning dirty logging on write-protects, no split', () => {
  it('a writable 2M block becomes read-only and stays a block', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '2M' } }]);
    pf(vm, G1, K4);
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(G1), flags: ['log_dirty_pages'] });
    expect(vm.mappings().map((m) => [m.level, m.writable])).toEqual([['2M', false]]);
    // The walk finds the block: SPURIOUS, nothing rewritten.
    expect(pf(vm, G1 + K4, K4).iterations[0]!.result).toBe('SPURIOUS');
  });
});
