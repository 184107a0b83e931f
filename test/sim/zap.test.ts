// Ranged leaf zaps (zap.ts): kvm_unmap_gfn_range reaches a TD's shared root at the gfns
// offset by the shared bit (kvm_gfn_root_bits), and kvm_mmu_zap_memslot_leafs zaps only
// the roots of the slot's own address space.
import { describe, expect, it } from 'vitest';
import { GiB, MiB2, hx, makeVm, patchVcpu, prefault, rows } from './helpers.js';

describe('tdp_mmu_zap_leafs starts at start | kvm_gfn_root_bits', () => {
  const td = () => {
    const vm = makeVm({ type: 'tdx' }, [{ gpa: 0, size: MiB2 }]);
    vm.apply({ op: 'finalize' });
    expect(prefault(vm, 0, 0x2000).ret).toBe(0);
    const direct = vm.roots().find((r) => !r.mirror)!;
    // The shared page maps at the shared alias: gfn | bit 47 of the default GPAW-48 TD.
    expect(rows(vm, direct.id).map((m) => m.gpa)).toEqual([hx(2 ** 47)]);
    return { vm, direct };
  };

  it('a memslot delete (kvm_mmu_zap_memslot_leafs: a TD never zaps all) removes the shared alias leaves', () => {
    const { vm, direct } = td();
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 0 });
    expect(rows(vm, direct.id)).toEqual([]);
    expect(vm.roots().find((r) => r.id === direct.id)!.counts['4K']).toBe(0);
  });

  it('a conversion to private (kvm_arch_pre_set_memory_attributes) zaps the shared leaf of that page only', () => {
    const { vm, direct } = td();
    vm.apply({ op: 'set_memory_attributes', address: '0x1000', size: '0x1000', private: true });
    expect(rows(vm, direct.id).map((m) => `${m.gpa} x${m.count}`)).toEqual([`${hx(2 ** 47)} x1`]);
  });
});

describe('kvm_mmu_zap_memslot_leafs: the slot address space only', () => {
  it('deleting an address-space-0 slot keeps the SMM root (address space 1) mapping at the same gfn', () => {
    const vm = makeVm({ quirksDisabled: ['SLOT_ZAP_ALL'] }, [
      { gpa: 0, size: GiB },
      { as: 1, slot: 0, gpa: 0, size: GiB, userspaceAddr: hx(2 ** 40) },
    ]);
    prefault(vm, 0, 0x1000);
    patchVcpu(vm, 0, { smm: true });
    prefault(vm, 0, 0x1000);
    const smm = vm.roots().find((r) => r.smm)!;
    const normal = vm.roots().find((r) => !r.smm)!;
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 0 });
    expect(rows(vm, normal.id)).toEqual([]);
    expect(rows(vm, smm.id).map((m) => m.gpa)).toEqual(['0x0']);
  });
});
