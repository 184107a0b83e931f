// Found by mutation testing (docs/engine.md, "Mutation testing"): which MMU a vCPU is on
// (kvm_init_mmu) is visible in its view, not only through the EOPNOTSUPP it causes.
import { describe, expect, it } from 'vitest';
import { MiB2, makeVm } from './helpers.js';

describe('the MMU a vCPU runs on (kvm_init_mmu)', () => {
  it('shadow paging when the host has no TDP: no TDP root role', () => {
    const vm = makeVm({ host: { tdp: false } }, [{ gpa: 0, size: MiB2 }]);
    expect(vm.vcpu(0).mmu).toEqual({ kind: 'shadow', rootRole: null });
  });

  it('TDP otherwise, with the root role it needs', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2 }]);
    expect(vm.vcpu(0).mmu).toEqual({
      kind: 'tdp',
      rootRole: { level: 4, smm: false, guestMode: false, addressSpace: 0, adDisabled: false, mirror: false },
    });
  });

  it('the nested MMU for L2 when L1 uses nested TDP, and TDP again once L1 does not', () => {
    const vm = makeVm(
      {},
      [{ gpa: 0, size: MiB2 }],
      [
        { id: 0, guestMode: true, nestedTdp: true },
        { id: 1, guestMode: true, nestedTdp: false },
      ],
    );
    expect(vm.vcpu(0).mmu).toEqual({ kind: 'nested-tdp-shadow', rootRole: null });
    expect(vm.vcpu(1).mmu.kind).toBe('tdp');
    expect(vm.vcpu(1).mmu.rootRole).toMatchObject({ guestMode: true, smm: false });
  });
});
