// Availability and the gate (spec part 2 §17.3, §18.1, §16.2): kvm_vm_ioctl_check_extension,
// kvm_arch_vcpu_ioctl before 7.4, kvm_arch_pre_fault_allowed, and V1–V4 at the host page size.
import { describe, expect, it } from 'vitest';
import { ARCH_KERNELS } from '../../../src/sim/arch-types.js';
import { G1, arm64Vm, hx, pf } from './helpers.js';

describe('kvm_arch_vcpu_ioctl before 7.4: no KVM_PRE_FAULT_MEMORY case, the default -EINVAL', () => {
  it.each(ARCH_KERNELS.filter((k) => k !== '7.4'))('kernel %s: EINVAL, range echoed, no rows, capability 0', (kernel) => {
    const vm = arm64Vm({ kernel }, [{ gpa: G1, size: G1 }]);
    const r = pf(vm, G1, 0x1000);
    expect([r.ret, r.errno, r.range, r.iterations, r.root, vm.capPreFaultMemory()]).toEqual([
      -22,
      'EINVAL',
      { gpa: hx(G1), size: '0x1000', flags: '0x0' },
      [],
      null,
      0,
    ]);
    expect(r.reason).toMatch(/kvm_arch_vcpu_ioctl/);
    expect(vm.roots()[0]!.counts['4K']).toBe(0);
  });
  it('kernel 7.4: the call maps and the capability reads 1 (kvm_vm_ioctl_check_extension)', () => {
    const vm = arm64Vm({ kernel: '7.4' }, [{ gpa: G1, size: G1 }]);
    expect([pf(vm, G1, 0x1000).ret, vm.capPreFaultMemory()]).toEqual([0, 1]);
  });
});

describe('kvm_arch_pre_fault_allowed', () => {
  it('a pKVM host: EOPNOTSUPP with no iteration row, and KVM_CAP_PRE_FAULT_MEMORY reads 0 (kvm_pkvm_ext_allowed)', () => {
    const vm = arm64Vm({ host: { pkvm: true } }, [{ gpa: G1, size: G1 }]);
    const r = pf(vm, G1, 0x1000);
    expect([r.ret, r.errno, r.iterations.length, r.range.gpa, vm.capPreFaultMemory()]).toEqual([-95, 'EOPNOTSUPP', 0, hx(G1), 0]);
  });
  it('pKVM is checked before vCPU initialisation', () => {
    const vm = arm64Vm({ host: { pkvm: true } }, [{ gpa: G1, size: G1 }], [{ id: 0, initialized: false }]);
    expect(pf(vm, G1, 0x1000).errno).toBe('EOPNOTSUPP');
  });
  it('a vCPU without KVM_ARM_VCPU_INIT: ENOEXEC (-8), nothing mapped; after init the call maps', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }], [{ id: 0, initialized: false }]);
    const r = pf(vm, G1, 0x1000);
    expect([r.ret, r.errno, r.iterations.length, vm.mappings()]).toEqual([-8, 'ENOEXEC', 0, []]);
    vm.patchVcpu(0, { initialized: true });
    expect(pf(vm, G1, 0x1000).ret).toBe(0);
  });
});

describe('kvm_vcpu_pre_fault_memory V2/V3: PAGE_ALIGNED at the host page size', () => {
  it('a 4K-aligned gpa on a 64K host is EINVAL; 64K-aligned maps one 64K page', () => {
    const vm = arm64Vm({ host: { granule: '64K' } }, [{ gpa: G1, size: G1 }]);
    const bad = pf(vm, G1 + 0x1000, 0x10000);
    expect([bad.errno, bad.iterations.length]).toEqual(['EINVAL', 0]);
    expect(bad.reason).toMatch(/gpa is not PAGE_ALIGNED .* 64K/);
    const ok = pf(vm, G1 + 0x10000, 0x10000);
    expect([ok.ret, ok.iterations[0]!.level, ok.iterations[0]!.consumed]).toEqual([0, '64K', '0x10000']);
  });
  it('a 4K-multiple size on a 16K host is EINVAL', () => {
    const vm = arm64Vm({ host: { granule: '16K' } }, [{ gpa: G1, size: G1 }]);
    expect(pf(vm, G1, 0x1000).errno).toBe('EINVAL');
    expect(pf(vm, G1, 0x4000).ret).toBe(0);
  });
  it('memslots are checked at the host page size too: a 4K-aligned slot on a 64K host is EINVAL (kvm_set_memory_region)', () => {
    const vm = arm64Vm({ host: { granule: '64K' } });
    expect(vm.setMemslot(0, 0, { guestPhysAddr: hx(G1 + 0x1000), size: '0x10000' }).errno).toBe('EINVAL');
  });
});
