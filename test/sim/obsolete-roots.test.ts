// Obsolete roots after a zap-all (mmu.c kvm_mmu_zap_all_fast): the child tables go at once
// (tdp_mmu.c kvm_tdp_mmu_zap_invalidated_roots, which also puts the MMU's own reference), the
// root page with the last vCPU's reference (kvm_tdp_mmu_put_root), which KVM_RUN drops
// (mmu.c kvm_mmu_free_obsolete_roots before kvm_mmu_load).
import { describe, expect, it } from 'vitest';
import type { Vm } from '../../src/sim/index.js';
import { GiB, access, makeVm, patchVcpu, prefault } from './helpers.js';

const PAGE = 4096;
// Slot 0 stays; slots 1 and 2 are there to be deleted (each delete is a zap-all on a default VM).
const slots = [
  { gpa: 0, size: GiB },
  { slot: 1, gpa: GiB, size: GiB },
  { slot: 2, gpa: 2 * GiB, size: GiB },
];
const zapAll = (vm: Vm, slot: number): void => {
  vm.apply({ op: 'delete_memslot', addressSpace: 0, slot });
};
/** Table pages the listed (valid) roots account for. */
const listedTableBytes = (vm: Vm): number => vm.roots().reduce((n, r) => n + r.counts.tables * PAGE, 0);

describe('obsolete roots are freed with their last reference (kvm_tdp_mmu_put_root)', () => {
  it('two vCPUs on one root: the root page stays until the second one reloads (kvm_mmu_free_obsolete_roots)', () => {
    const vm = makeVm({}, slots, [{ id: 0 }, { id: 1 }]);
    prefault(vm, 0, 0x1000, { vcpu: 0 });
    prefault(vm, 0, 0x1000, { vcpu: 1 });
    expect(vm.tableBytes()).toBe(4 * PAGE); // root, PDPT, PD, PT
    zapAll(vm, 1);
    // kvm_tdp_mmu_zap_invalidated_roots freed the children; both vCPUs still reference the root.
    expect([vm.roots(), vm.tableBytes()]).toEqual([[], PAGE]);
    expect(access(vm, 0, 'read', 0).ret).toBe(0);
    // vCPU 0 runs on a new root; vCPU 1 still holds the obsolete one.
    expect(vm.roots().map((r) => r.vcpus)).toEqual([[0]]);
    expect(vm.tableBytes()).toBe(listedTableBytes(vm) + PAGE);
    expect(access(vm, 0, 'read', 1).ret).toBe(0);
    expect(vm.roots().map((r) => r.vcpus)).toEqual([[0, 1]]);
    expect(vm.tableBytes()).toBe(listedTableBytes(vm));
  });
  it('a root no vCPU holds goes with the zap-all itself: the MMU held the last reference (kvm_tdp_mmu_zap_invalidated_roots)', () => {
    const vm = makeVm({}, [...slots, { as: 1, slot: 0, gpa: 0, size: GiB }]);
    prefault(vm, 0, 0x1000);
    patchVcpu(vm, 0, { smm: true }); // kvm_mmu_reset_context: the vCPU unloads, the VM keeps the root
    expect(vm.roots().map((r) => [r.smm, r.vcpus])).toEqual([[false, []]]);
    zapAll(vm, 1);
    expect(vm.tableBytes()).toBe(0);
  });
  it('a mode change drops the vCPU reference to an obsolete root (kvm_mmu_unload -> kvm_tdp_mmu_put_root)', () => {
    const vm = makeVm({}, [...slots, { as: 1, slot: 0, gpa: 0, size: GiB }]);
    prefault(vm, 0, 0x1000);
    zapAll(vm, 1);
    expect(vm.tableBytes()).toBe(PAGE);
    patchVcpu(vm, 0, { smm: true });
    expect(vm.tableBytes()).toBe(0);
  });
  it('a second zap-all frees nothing of a root already obsolete (kvm_tdp_mmu_invalidate_roots skips invalid roots)', () => {
    const vm = makeVm({ kernel: '6.14' }, slots);
    prefault(vm, 0, 0x1000);
    zapAll(vm, 1);
    zapAll(vm, 2);
    // Before 6.15 the pre-fault does not free the obsolete root: the vCPU keeps it (and EINTR).
    expect(prefault(vm, 0, 0x1000).errno).toBe('EINTR');
    expect(vm.tableBytes()).toBe(PAGE);
  });
  it('6.15+: the pre-fault reload frees the obsolete root first (kvm_mmu_reload -> kvm_mmu_free_obsolete_roots)', () => {
    const vm = makeVm({ kernel: '6.15' }, slots);
    prefault(vm, 0, 0x1000);
    zapAll(vm, 1);
    expect(prefault(vm, 0, 0x1000).ret).toBe(0);
    expect(vm.tableBytes()).toBe(listedTableBytes(vm));
  });
});

describe('root and table-page identities', () => {
  it('each kvm_tdp_mmu_alloc_root makes a root with a new id, in allocation order', () => {
    const vm = makeVm({}, slots);
    const ids = [prefault(vm, 0, 0x1000).root!.id];
    zapAll(vm, 1);
    ids.push(prefault(vm, 0, 0x1000).root!.id);
    zapAll(vm, 2);
    ids.push(prefault(vm, 0, 0x1000).root!.id);
    const serials = ids.map((id) => Number(id.replace(/^r/, '')));
    expect(serials.every((n, i) => i === 0 || n > serials[i - 1]!)).toBe(true);
  });
  it('table pages get sequential pfns from 0x100000 in allocation order, the root first (docs/engine.md)', () => {
    const vm = makeVm({}, [
      { gpa: 0, size: GiB },
      { as: 1, slot: 0, gpa: 0, size: GiB },
    ]);
    const childPfns = (): number[] => {
      const steps = vm.walk(vm.roots().at(-1)!.id, 0n).steps.filter((s) => !s.leaf);
      return steps.map((s) => Number((BigInt(s.spte) >> 12n) & 0xffffffffffn));
    };
    prefault(vm, 0, 0x1000);
    expect(childPfns()).toEqual([0x100001, 0x100002, 0x100003]);
    patchVcpu(vm, 0, { smm: true });
    prefault(vm, 0, 0x1000); // the SMM root: 0x100004, then its children
    expect(childPfns()).toEqual([0x100005, 0x100006, 0x100007]);
  });
});
