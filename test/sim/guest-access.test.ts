// A real guest access (KVM_RUN until it retires): which root and which kind of memory the
// guest's GPA selects, and the exits when the vCPU cannot run it.
import { describe, expect, it } from 'vitest';
import { SimError } from '../../src/sim/index.js';
import { GiB, MiB2, access, hx, makeVm, patchVcpu } from './helpers.js';

const SHARED_BIT_48 = 2 ** 47; // a GPAW-48 TD's shared bit (tdx_td_init: gfn_direct_bits)

/** A finalized TD whose first 2M is private (KVM_SET_MEMORY_ATTRIBUTES) and second 2M shared. */
function td() {
  const vm = makeVm({ type: 'tdx' }, [{ gpa: 0, size: 2 * MiB2, flags: ['guest_memfd'] }]);
  vm.apply({ op: 'finalize' });
  vm.apply({ op: 'set_memory_attributes', address: '0x0', size: hx(MiB2), private: true });
  return vm;
}

describe('a TD guest chooses private or shared by the shared bit of its GPA (kvm_is_private_gpa)', () => {
  it('without the bit: a private fault, mapped in the mirror root', () => {
    const r = access(td(), 0x3000);
    expect([r.ret, r.exit, r.root?.mirror]).toEqual([0, null, true]);
    expect(r.mapped).toEqual([expect.objectContaining({ gpa: '0x3000', private: true })]);
  });
  it('with the bit: a shared fault for the gfn without it, mapped in the direct root at the aliased gpa', () => {
    const r = access(td(), SHARED_BIT_48 + MiB2 + 0x3000);
    expect([r.ret, r.exit, r.root?.mirror]).toEqual([0, null, false]);
    expect(r.iterations[0]).toMatchObject({ gpa: hx(MiB2 + 0x3000), result: 'FIXED' });
    expect(r.mapped).toEqual([expect.objectContaining({ gpa: hx(SHARED_BIT_48 + MiB2 + 0x3000), private: false })]);
  });
  it('a shared access to a private gfn, or a private one to a shared gfn, exits to userspace (kvm_mmu_prepare_memory_fault_exit)', () => {
    for (const gpa of [SHARED_BIT_48 + 0x3000, MiB2 + 0x3000]) {
      const r = access(td(), gpa);
      expect([r.ret, r.errno, r.exit]).toEqual([-14, 'EFAULT', 'KVM_EXIT_MEMORY_FAULT']);
      expect(r.reason).toMatch(/private\/shared kind disagrees with the gfn's memory attributes \(kvm_mmu_faultin_pfn\)/);
      expect(r.mapped).toEqual([]);
    }
  });
});

describe('other VMs: the memory attribute decides (kvm_mem_is_private)', () => {
  it('sw_protected: a private gfn maps from guest_memfd, a shared one from the host mapping', () => {
    const vm = makeVm({ type: 'sw_protected' }, [{ gpa: 0, size: 2 * MiB2, flags: ['guest_memfd'] }]);
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: hx(MiB2), private: true });
    expect(access(vm, 0x3000).mapped).toEqual([expect.objectContaining({ gpa: '0x3000', private: true })]);
    expect(access(vm, MiB2 + 0x3000).mapped).toEqual([expect.objectContaining({ private: false })]);
  });
  it('a default VM has no private memory: every access is shared', () => {
    const vm = makeVm({}, [{ gpa: 0, size: GiB }]);
    expect(access(vm, 0x3000).mapped).toEqual([expect.objectContaining({ gpa: '0x3000', private: false })]);
  });
});

describe('when the vCPU cannot run the access', () => {
  it('kvm_mmu_reload failing for lack of table memory: ENOMEM before any fault, no root', () => {
    const vm = makeVm({}, [{ gpa: 0, size: GiB }], [{ id: 0 }], { maxTableBytes: 0 });
    const r = access(vm, 0x3000);
    expect(r).toMatchObject({ ret: -12, errno: 'ENOMEM', exit: null, iterations: [], root: null, mapped: [] });
    expect(r.reason).toMatch(/vcpu_enter_guest/);
  });
  it('a vCPU whose current MMU is not a direct TDP MMU is refused, naming that MMU', () => {
    const nested = makeVm({}, [{ gpa: 0, size: GiB }], [{ id: 0 }]);
    patchVcpu(nested, 0, { guestMode: true, nestedTdp: true });
    expect(() => access(nested, 0x3000)).toThrow(/vCPU 0 runs on a nested-tdp-shadow MMU/);
    const shadow = makeVm({ host: { tdp: false } }, [{ gpa: 0, size: GiB }]);
    let refusal: unknown;
    try {
      access(shadow, 0x3000);
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(SimError);
    expect((refusal as SimError).code).toBe('conflict');
    expect((refusal as SimError).message).toMatch(/runs on a shadow MMU/);
  });
});
