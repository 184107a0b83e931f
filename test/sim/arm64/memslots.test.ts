// arm64 memslot hooks (spec part 2 §18.2 P1, §18.10; contract v2 "Memslots"):
// kvm_arch_prepare_memory_region, kvm_arch_flush_shadow_memslot, kvm_arch_commit_memory_region.
import { describe, expect, it } from 'vitest';
import { Arm64Vm } from '../../../src/sim/arm64/vm.js';
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
    expect([vm.mappings(), counts(vm)['4K'], counts(vm).tables, pf(vm, G1, K4).errno]).toEqual([[], 0, tables, 'ENOENT']);
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

describe('kvm_set_memory_region on arm64: MOVE and in-place changes', () => {
  it('MOVE unmaps the old range (kvm_arch_flush_shadow_memslot) and the new base maps', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: M2 }]);
    pf(vm, G1, K4);
    expect(vm.setMemslot(0, 0, { guestPhysAddr: hx(2 * G1), size: hx(M2), userspaceAddr: hx(2 ** 40 + G1) }).ret).toBe(0);
    expect([vm.mappings(), pf(vm, G1, K4).errno, pf(vm, 2 * G1, K4).ret]).toEqual([[], 'ENOENT', 0]);
    expect(vm.memslots().map((s) => s.guestPhysAddr)).toEqual([hx(2 * G1)]);
  });
  it('userspace_addr, size or KVM_MEM_READONLY cannot change in place: EINVAL', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: M2 }]);
    expect(vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(2 * M2) }).errno).toBe('EINVAL');
    expect(vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(M2), flags: ['readonly'] }).errno).toBe('EINVAL');
  });
  it('an overlapping slot is EEXIST (kvm_check_memslot_overlap)', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: M2 }]);
    expect(vm.setMemslot(0, 1, { guestPhysAddr: hx(G1 + K4), size: hx(M2) }).errno).toBe('EEXIST');
  });
});

describe('topup_mmu_memcache / kvm_pgtable_stage2_map: the table budget', () => {
  it('ENOMEM when no table page is left; progress so far stays', () => {
    const vm = new Arm64Vm({ name: 't', arm64: { ipaBits: 40 } }, 4 * 4096);
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(G1) });
    vm.createVcpu({ id: 0 });
    // The pgd is 2 pages; one L2 and one L3 table fit, so the first 2M maps and the next needs a table.
    const r = pf(vm, G1, 2 * M2);
    expect([r.ret, r.range.gpa, pf(vm, G1 + M2, K4).errno]).toEqual([0, hx(G1 + M2), 'ENOMEM']);
  });
});

describe('the VM view (contract v2): arm64 geometry, guestPhysBits and preFaultAllowed', () => {
  it('4K/40: 3 levels from L1, 2 tables; pre-fault allowed on 7.4 without pKVM', () => {
    const vm = arm64Vm();
    expect([vm.archView(), vm.guestPhysBits, vm.preFaultAllowed]).toEqual([
      { ipaBits: 40, stage2Levels: 3, startLevel: 1, concatenatedTables: 2 },
      40,
      true,
    ]);
    expect([arm64Vm({ kernel: '7.3' }).preFaultAllowed, arm64Vm({ host: { pkvm: true } }).preFaultAllowed]).toEqual([false, false]);
  });
});
