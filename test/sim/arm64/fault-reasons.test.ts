// The reason a failed iteration reports names the kernel path that returned its errno (spec
// part 2 §18.5): mmu_invalidate_retry 4 times (kvm_arch_vcpu_pre_fault_memory's retry bound),
// no VMA (kvm_s2_fault_get_vma_info), a poisoned pfn (kvm_s2_fault_pin_pfn), and a page-table
// budget that cannot hold the tables the map walk needs (kvm_pgtable_stage2_map's memcache),
// for user_mem_abort and gmem_abort alike.
import { describe, expect, it } from 'vitest';
import type { ArchPreFaultInject } from '../../../src/sim/arch-types.js';
import { Arm64Vm } from '../../../src/sim/arm64/vm.js';
import { G1, K4, arm64Vm, counts, hx, pf, rows, type Slot } from './helpers.js';

/** A VM whose table budget is its pgd alone (the budget never goes below the pgd). */
function pgdOnlyVm(slot: Slot): Arm64Vm {
  const vm = new Arm64Vm({ name: 'tight' }, 0);
  const r = vm.setMemslot(0, 0, {
    guestPhysAddr: hx(slot.gpa),
    size: hx(slot.size),
    flags: slot.flags ?? [],
    ...(slot.gmemOffset !== undefined ? { guestMemfdOffset: hx(slot.gmemOffset) } : {}),
  });
  if (r.ret !== 0) throw new Error(`${r.errno} ${r.reason}`);
  vm.createVcpu({ id: 0 });
  return vm;
}

const GMEM: Slot = { gpa: G1, size: G1, flags: ['guest_memfd'], gmemOffset: 0 };

const CASES: { name: string; vm: () => Arm64Vm; inject?: ArchPreFaultInject; errno: string; attempts: number; reason: RegExp }[] = [
  {
    name: 'user_mem_abort: an invalidation raced all 4 attempts',
    vm: () => arm64Vm({}, [{ gpa: G1, size: G1 }]),
    inject: { invalidationRaces: 4 },
    errno: 'EAGAIN',
    attempts: 4,
    reason: /^an MMU-notifier invalidation raced every attempt, mmu_invalidate_retry\(\), 4 attempts/,
  },
  {
    name: 'gmem_abort: an invalidation raced all 4 attempts',
    vm: () => arm64Vm({}, [GMEM]),
    inject: { invalidationRaces: 5 },
    errno: 'EAGAIN',
    attempts: 4,
    reason: /mmu_invalidate_retry\(\), 4 attempts/,
  },
  {
    name: 'user_mem_abort: no VMA at the hva',
    vm: () => arm64Vm({}, [{ gpa: G1, size: G1, backing: { mapped: false } }]),
    errno: 'EFAULT',
    attempts: 1,
    reason: /^no VMA at the hva, "Failed to find VMA"/,
  },
  {
    name: 'user_mem_abort: a poisoned host page',
    vm: () => arm64Vm({}, [{ gpa: G1, size: G1, backing: { hwpoison: [hx(G1)] } }]),
    errno: 'EHWPOISON',
    attempts: 1,
    reason: /^the host page is poisoned, KVM_PFN_ERR_HWPOISON/,
  },
  {
    name: 'user_mem_abort: no budget for the level-2 and level-3 tables',
    vm: () => pgdOnlyVm({ gpa: G1, size: G1 }),
    errno: 'ENOMEM',
    attempts: 1,
    reason: /^the page-table budget is spent \(topup_mmu_memcache/,
  },
  {
    name: 'gmem_abort: no budget for the level-2 and level-3 tables',
    vm: () => pgdOnlyVm(GMEM),
    errno: 'ENOMEM',
    attempts: 1,
    reason: /^the page-table budget is spent/,
  },
];

describe('a failed iteration names the path of its errno (kvm_arch_vcpu_pre_fault_memory, user_mem_abort, gmem_abort)', () => {
  it.each(CASES)('$name: $errno', (c) => {
    const vm = c.vm();
    const tablesBefore = counts(vm).tables;
    const r = pf(vm, G1, K4, c.inject);
    expect([r.errno, rows(r)]).toEqual([c.errno, [`${hx(G1)} ERROR - 0x0 x1 ${c.errno} TRANSLATION_L1 ${c.attempts}`]]);
    expect(r.reason).toMatch(c.reason);
    expect(r.iterations[0]!.reason).toBe(r.reason);
    // Nothing is mapped and no table is linked by a failed fault.
    expect([vm.mappings(), counts(vm).tables]).toEqual([[], tablesBefore]);
  });
});

describe('kvm_vcpu_ioctl: the vCPU must exist', () => {
  it('an unknown vCPU id is not_found, before the range is looked at', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    expect(() => vm.preFault(7, { gpa: hx(G1 + 1), size: '0x0', flags: '0x0' })).toThrow(
      expect.objectContaining({ code: 'not_found', message: 'no vCPU 7' }),
    );
    expect(() => pf(vm, G1, K4, undefined, 7)).toThrow(expect.objectContaining({ code: 'not_found', message: 'no vCPU 7' }));
  });
});
