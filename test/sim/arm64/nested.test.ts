// Nested virtualisation (spec part 2 §18.8): kvm_arch_vcpu_pre_fault_memory always uses the
// canonical stage-2 (mmu = &kvm->arch.mmu, nested = NULL in __pre_fault_s2); the vCPU's
// nested stage-2 is neither walked nor written, and its hw_mmu is left as it was.
import { describe, expect, it } from 'vitest';
import { G1, K4, M2, arm64Vm, hx, pf } from './helpers.js';

const nestedVm = () =>
  arm64Vm({ host: { nestedVirt: true } }, [{ gpa: G1, size: G1, backing: { pageSize: '2M' } }], [{ id: 0, el2: true, lastRanNested: true }]);

describe('kvm_arch_vcpu_pre_fault_memory: the canonical stage-2 only', () => {
  it('a vCPU that last ran an L2 maps the L1 IPA into the canonical stage-2; its nested root stays empty', () => {
    const vm = nestedVm();
    const before = vm.vcpu(0);
    expect([before.mmu.kind, before.loadedRoot]).toEqual(['s2-nested', 's2-1']);
    const r = pf(vm, G1, M2);
    expect([r.ret, r.root?.id, r.root?.kind, r.iterations[0]!.level]).toEqual([0, 's2-0', 's2-canonical', '2M']);
    const [canonical, nested] = vm.roots();
    expect([canonical!.counts['2M'], canonical!.vcpus]).toEqual([1, []]);
    expect([nested!.kind, nested!.guestMode, nested!.vcpus, nested!.counts]).toEqual([
      's2-nested',
      true,
      [0],
      { '4K': 0, '2M': 0, '1G': 0, tables: 2 },
    ]);
    expect(vm.mappings('s2-1')).toEqual([]);
    expect(vm.walk('s2-1', hx(G1)).steps.map((s) => s.present)).toEqual([false]);
    expect(vm.vcpu(0)).toEqual(before);
  });
  it('the answers equal those of a vCPU that never ran nested', () => {
    const plain = arm64Vm({ host: { nestedVirt: true } }, [{ gpa: G1, size: G1, backing: { pageSize: '2M' } }], [{ id: 0, el2: true }]);
    const a = pf(nestedVm(), G1, 3 * M2 + K4);
    const b = pf(plain, G1, 3 * M2 + K4);
    expect(a).toEqual(b);
  });
  it('lastRanNested needs el2, and el2 needs host.nestedVirt', () => {
    expect(() => arm64Vm({}, [], [{ id: 0, el2: true }])).toThrow(/nestedVirt/);
    expect(() => arm64Vm({ host: { nestedVirt: true } }, [], [{ id: 0, lastRanNested: true }])).toThrow(/el2/);
  });
});
