// The TD's GPAW is userspace's choice (vmx/tdx.c:setup_tdparams_eptp_controls): 48 or 52,
// 52 only with 5-level EPT. It fixes the shared bit (tdx_td_init: gfn_direct_bits), which
// kvm_arch_prepare_memory_region's alias check refuses in a memslot, and the root level
// (mmu.c:kvm_mmu_get_tdp_level reads cpuid_query_maxguestphyaddr for a TD).
import { describe, expect, it } from 'vitest';
import { SimError, withVmDefaults, type VmConfigInput } from '../../src/sim/index.js';
import { MiB2, hx, makeVm, prefault, setSlot } from './helpers.js';

const HOST52 = { maxPhysAddr: 52, maxTdpLevel: 5 as const };

function refusal(input: Partial<VmConfigInput>): string {
  try {
    withVmDefaults({ name: 'td', ...input });
  } catch (e) {
    return `${(e as SimError).code}:${(e as SimError).field}`;
  }
  return 'accepted';
}

describe('tdxGpaw (setup_tdparams_eptp_controls)', () => {
  it('defaults to 48 ("GPAW-48 is always supported"), even on a 52-bit host with 5-level EPT', () => {
    expect(withVmDefaults({ name: 'td', type: 'tdx', host: HOST52 }).tdxGpaw).toBe(48);
  });
  it('refuses 52 without 5-level EPT, any other width, and a GPAW on a VM that is not a TD', () => {
    expect(refusal({ type: 'tdx', tdxGpaw: 52, host: { maxPhysAddr: 52, maxTdpLevel: 4 } })).toBe('invalid:tdxGpaw');
    expect(refusal({ type: 'tdx', tdxGpaw: 50 as never, host: HOST52 })).toBe('invalid:tdxGpaw');
    expect(refusal({ type: 'default', tdxGpaw: 48 })).toBe('invalid:tdxGpaw');
    expect(refusal({ type: 'tdx', tdxGpaw: 52, host: HOST52 })).toBe('accepted');
    expect('tdxGpaw' in withVmDefaults({ name: 'x' })).toBe(false);
  });
});

describe('the shared bit follows the GPAW (tdx_td_init, kvm_arch_prepare_memory_region)', () => {
  it('GPAW 48 on a 52-bit 5-level host: a slot reaching bit 47 is EINVAL (kvm_is_gfn_alias)', () => {
    const vm = makeVm({ type: 'tdx', host: HOST52 });
    const r = setSlot(vm, { gpa: 2 ** 47, size: MiB2 }, 1);
    expect([r.ret, r.errno, r.reason]).toEqual([-22, 'EINVAL', expect.stringMatching(/kvm_is_gfn_alias/)]);
  });
  it('GPAW 52: the same slot is accepted and its shared alias carries bit 51', () => {
    const vm = makeVm({ type: 'tdx', tdxGpaw: 52, host: HOST52 }, [{ gpa: 2 ** 47, size: MiB2 }]);
    vm.apply({ op: 'finalize' });
    expect(prefault(vm, 2 ** 47, 0x1000).mapped[0]!.gpa).toBe(hx(2 ** 51 + 2 ** 47));
    expect(setSlot(vm, { gpa: 2 ** 51, size: MiB2, userspaceAddr: hx(2 ** 41) }, 2).reason).toMatch(/kvm_is_gfn_alias/);
  });
});

describe('the root level follows the GPAW (kvm_mmu_get_tdp_level, cpuid_query_maxguestphyaddr)', () => {
  it('GPAW 52 on 5-level EPT: 5-level direct and mirror roots, whatever MAXPHYADDR the vCPU claims', () => {
    const vm = makeVm({ type: 'tdx', tdxGpaw: 52, host: HOST52 }, [{ gpa: 0, size: MiB2 }], [{ id: 0, maxPhysAddr: 46 }]);
    expect(vm.vcpu(0).mmu.rootRole?.level).toBe(5);
    vm.apply({ op: 'finalize' });
    prefault(vm, 0, 0x1000);
    expect(
      vm
        .roots()
        .map((r) => `${r.mirror ? 'mirror' : 'direct'} ${r.level}`)
        .sort(),
    ).toEqual(['direct 5', 'mirror 5']);
  });
  it('GPAW 48 on 5-level EPT: 4-level roots', () => {
    const vm = makeVm({ type: 'tdx', host: HOST52 }, [{ gpa: 0, size: MiB2 }], [{ id: 0, maxPhysAddr: 52 }]);
    vm.apply({ op: 'finalize' });
    prefault(vm, 0, 0x1000);
    expect(vm.roots().map((r) => r.level)).toEqual([4, 4]);
  });
});
