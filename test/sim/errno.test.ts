// Errnos of the fault path (mmu.c, spec §3.5, §7) and of memslot/attribute ioctls.
import { describe, expect, it } from 'vitest';
import { GiB, MiB2, hx, makeVm, prefault, rows, setSlot, trace } from './helpers.js';

describe('fault-path errnos (spec §3.5)', () => {
  it('EFAULT when the host hva is not mapped (kvm_handle_error_pfn)', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, backing: { mapped: false } }]);
    expect(trace(prefault(vm, 0, 0x1000))).toEqual(['0x0 ERROR - 0x0 x1 EFAULT']);
  });
  it('EFAULT for a private gfn in a slot without guest_memfd (kvm_mmu_faultin_pfn_gmem)', () => {
    const vm = makeVm({ type: 'sw_protected' }, [{ gpa: 0, size: MiB2 }]);
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: true });
    expect(prefault(vm, 0, 0x1000).errno).toBe('EFAULT');
  });
  it('EFAULT for a private gfn without any memslot (kvm_handle_noslot_fault)', () => {
    const vm = makeVm({ type: 'sw_protected' }, []);
    vm.apply({ op: 'set_memory_attributes', address: hx(GiB), size: '0x1000', private: true });
    expect(prefault(vm, GiB, 0x1000).errno).toBe('EFAULT');
  });
  it('EOPNOTSUPP for an L2 vCPU whose L1 uses nested TDP (check G, after the reload)', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2 }], [{ id: 0, guestMode: true, nestedTdp: true }]);
    expect([prefault(vm, 0, 0x1000).errno, vm.vcpu(0).mmu.kind]).toEqual(['EOPNOTSUPP', 'nested-tdp-shadow']);
  });
  it('ENOMEM when the VM page-table budget is spent (tdp_mmu_alloc_sp); progress so far stays', () => {
    const vm = makeVm({}, [{ gpa: 0, size: GiB }], [{ id: 0 }], { maxTableBytes: 4 * 4096 });
    const r = prefault(vm, 0, 0x400000);
    expect([r.ret, r.range.gpa]).toEqual([0, hx(MiB2)]);
    expect(prefault(vm, MiB2, 0x1000).errno).toBe('ENOMEM');
    expect(vm.tableBytes()).toBe(4 * 4096);
  });
});

describe('TDX: mirror root, shared bit, alias GPAs (spec §3.7, §4.3)', () => {
  const tdx = () => {
    const vm = makeVm({ type: 'tdx' }, [{ gpa: 0, size: 0x400000, flags: ['guest_memfd'], backing: { pageSize: '2M' } }]);
    vm.apply({ op: 'finalize' });
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: hx(MiB2), private: true });
    return vm;
  };
  it('private gfns map at 4K in the mirror root, shared ones in the direct root with the shared bit', () => {
    const vm = tdx();
    const priv = prefault(vm, 0, 0x1000);
    expect(priv.root).toMatchObject({ mirror: true });
    expect(priv.mapped[0]).toMatchObject({ gpa: '0x0', private: true, level: '4K' });
    const shared = prefault(vm, MiB2, MiB2);
    expect(shared.root).toMatchObject({ mirror: false });
    expect(shared.mapped[0]).toMatchObject({ gpa: hx(2 ** 47 + MiB2), private: false, level: '2M' });
    expect(
      vm
        .roots()
        .map((r) => r.mirror)
        .sort(),
    ).toEqual([false, true]);
  });
  it('an alias gpa (shared bit set by the caller) is EINVAL from 6.16; a range crossing into it succeeds partly', () => {
    const vm = tdx();
    expect(prefault(vm, 2 ** 47, 0x1000).errno).toBe('EINVAL');
    // A slot just below the alias half (host MAXPHYADDR 48 reaches it).
    const high = makeVm({ type: 'tdx', host: { maxPhysAddr: 48 } }, [{ gpa: 2 ** 47 - MiB2, size: MiB2 }]);
    high.apply({ op: 'finalize' });
    const cross = prefault(high, 2 ** 47 - 0x1000, 0x2000);
    expect([cross.ret, cross.range.gpa, cross.range.size]).toEqual([0, hx(2 ** 47), '0x1000']);
    expect(trace(cross)).toEqual([`${hx(2 ** 47 - 0x1000)} FIXED 4K 0x1000 x1`, `${hx(2 ** 47)} ERROR - 0x0 x1 EINVAL`]);
  });
  it('an unfinalized TDX VM answers EOPNOTSUPP even for an alias gpa (A before B)', () => {
    const vm = makeVm({ type: 'tdx' }, []);
    expect(prefault(vm, 2 ** 47, 0x1000).errno).toBe('EOPNOTSUPP');
  });
});

describe('KVM_SET_USER_MEMORY_REGION2 errnos (kvm_main.c:kvm_set_memory_region)', () => {
  const errno = (vm: ReturnType<typeof makeVm>, s: Parameters<typeof setSlot>[1], id = 5) => setSlot(vm, s, id).errno;
  it('refuses misalignment, overlap, bad address spaces, flags and limits with the kernel errnos', () => {
    const vm = makeVm({}, [{ gpa: 0, size: GiB }]);
    expect(errno(vm, { gpa: 0x800, size: 0x1000 })).toBe('EINVAL');
    expect(errno(vm, { gpa: GiB, size: 0x1800 })).toBe('EINVAL');
    expect(errno(vm, { gpa: GiB, size: 0x1000, userspaceAddr: '0x7f0000000800' })).toBe('EINVAL');
    expect(errno(vm, { gpa: 0x1000, size: 0x1000 })).toBe('EEXIST');
    expect(errno(vm, { gpa: GiB, size: 0x1000, flags: ['guest_memfd'] })).toBe('EINVAL');
    expect(errno(vm, { gpa: 2 ** 46, size: 0x1000 })).toBe('EINVAL'); // above kvm_mmu_max_gfn
    expect(errno(vm, { gpa: GiB, size: 0x1000 }, 40000)).toBe('EINVAL'); // id >= KVM_USER_MEM_SLOTS
    expect(errno(vm, { gpa: GiB, size: 0x1000, userspaceAddr: '0xfffffffffffff000' })).toBe('EINVAL'); // access_ok
  });
  it('VMs with private memory have one address space; protected-state VMs no read-only slots', () => {
    expect(errno(makeVm({ type: 'sw_protected' }), { as: 1, gpa: 0, size: 0x1000 })).toBe('EINVAL');
    expect(errno(makeVm({ type: 'sev_es', host: { vendor: 'amd' } }), { gpa: 0, size: 0x1000, flags: ['readonly'] })).toBe('EINVAL');
    expect(errno(makeVm({ type: 'sw_protected' }), { gpa: 0, size: 0x1000, flags: ['guest_memfd', 'log_dirty_pages'] })).toBe('EINVAL');
  });
  it('an existing slot cannot change size or hva; guest_memfd slots are immutable', () => {
    const vm = makeVm({}, [{ gpa: 0, size: GiB, userspaceAddr: hx(2 ** 40) }]);
    expect(errno(vm, { gpa: 0, size: MiB2, userspaceAddr: hx(2 ** 40) }, 0)).toBe('EINVAL');
    expect(errno(vm, { gpa: 0, size: GiB, userspaceAddr: hx(2 ** 41) }, 0)).toBe('EINVAL');
    const p = makeVm({ type: 'sw_protected' }, [{ gpa: 0, size: MiB2, flags: ['guest_memfd'] }]);
    expect(errno(p, { gpa: GiB, size: MiB2, flags: ['guest_memfd'] }, 0)).toBe('EINVAL');
  });
  it('a MOVE flushes the old range and maps at the new base', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, userspaceAddr: hx(2 ** 40) }]);
    prefault(vm, 0, 0x1000);
    expect(setSlot(vm, { gpa: GiB, size: MiB2, userspaceAddr: hx(2 ** 40) }, 0).ret).toBe(0);
    expect(vm.roots()).toEqual([]);
    expect(prefault(vm, GiB, 0x1000).mapped[0]!.hostPfn).toBe(hx(2 ** 28));
  });
  it('size 0 or DELETE of a missing slot is EINVAL; DELETE of a slot zaps its SPTEs', () => {
    const vm = makeVm({ type: 'sw_protected' }, [{ gpa: 0, size: MiB2 }]);
    expect(vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 9 })).toMatchObject({ errno: 'EINVAL' });
    prefault(vm, 0, 0x1000);
    expect(errno(vm, { gpa: 0, size: 0 }, 0)).toBe(null);
    expect(rows(vm)).toEqual([]);
  });
  it('KVM_SET_MEMORY_ATTRIBUTES: PRIVATE is EINVAL without private memory; alignment and size 0 too', () => {
    expect(makeVm().apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: true })).toMatchObject({ errno: 'EINVAL' });
    const p = makeVm({ type: 'sw_protected' });
    expect(p.apply({ op: 'set_memory_attributes', address: '0x800', size: '0x1000', private: true })).toMatchObject({ errno: 'EINVAL' });
    expect(p.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x0', private: true })).toMatchObject({ errno: 'EINVAL' });
  });
});
