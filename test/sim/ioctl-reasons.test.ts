// Contract v1.1 `reason`: every failing ioctl answer (and the iteration row that failed)
// names the kernel check and the function it lives in; successes carry none.
import { describe, expect, it } from 'vitest';
import type { IoctlResult, MemslotResult, PreFaultResult } from '../../src/sim/index.js';
import { GiB, MiB2, access, hx, makeVm, prefault, setSlot } from './helpers.js';

/** The answer failed with `errno` and its reason (and the failing row's, if any) matches `why`. */
function expectReason(r: IoctlResult | PreFaultResult, errno: string, why: RegExp): void {
  expect(r.errno).toBe(errno);
  expect(r.reason).toMatch(why);
  const rows = 'iterations' in r ? r.iterations : [];
  const failed = rows.filter((row) => row.errno !== null);
  for (const row of failed) expect(row.reason).toMatch(why);
}

const slot = [{ gpa: 0, size: GiB }];

describe('pre-fault: generic checks (kvm_vcpu_pre_fault_memory)', () => {
  it('V1 flags', () =>
    expectReason(prefault(makeVm({}, slot), 0, 0x1000, { flags: 1 }), 'EINVAL', /range->flags is not 0 \(kvm_vcpu_pre_fault_memory\)/));
  it('V2 gpa alignment', () =>
    expectReason(prefault(makeVm({}, slot), 0x800, 0x1000), 'EINVAL', /range->gpa is not page aligned \(kvm_vcpu_pre_fault_memory\)/));
  it('V3 size alignment', () =>
    expectReason(prefault(makeVm({}, slot), 0, 0x800), 'EINVAL', /range->size is not page aligned \(kvm_vcpu_pre_fault_memory\)/));
  it('V4 size 0 and wrap-around', () => {
    expectReason(prefault(makeVm({}, slot), 0, 0), 'EINVAL', /wraps around or range->size is 0 \(kvm_vcpu_pre_fault_memory\)/);
    expectReason(prefault(makeVm({}, slot), 0xfffffffffffff000n, 0x1000), 'EINVAL', /wraps around/);
  });
  it('a signal pending at the top of the loop', () =>
    expectReason(
      prefault(makeVm({}, slot), 0, 0x1000, { inject: { signalPending: true } }),
      'EINTR',
      /signal_pending.*top of the loop \(kvm_vcpu_pre_fault_memory\)/,
    ));
});

describe('pre-fault: the x86 step (kvm_arch_vcpu_pre_fault_memory, kvm_tdp_page_prefault)', () => {
  it('A: pre_fault_allowed false before finalize', () =>
    expectReason(prefault(makeVm({ type: 'tdx' }, []), 0, 0x1000), 'EOPNOTSUPP', /pre_fault_allowed is false.*\(kvm_arch_vcpu_pre_fault_memory\)/));
  it('B: TDX alias gpa', () => {
    const vm = makeVm({ type: 'tdx' }, []);
    vm.apply({ op: 'finalize' });
    expectReason(prefault(vm, 2 ** 47, 0x1000), 'EINVAL', /kvm_is_gfn_alias\(\) \(kvm_arch_vcpu_pre_fault_memory\)/);
  });
  it('C: kvm_mmu_reload fails for want of a root page', () =>
    expectReason(prefault(makeVm({}, slot, [{ id: 0 }], { maxTableBytes: 0 }), 0, 0x1000), 'ENOMEM', /kvm_mmu_reload\(\) failed/));
  it('G: shadow paging is not kvm_tdp_page_fault', () =>
    expectReason(
      prefault(makeVm({ host: { tdp: false } }, slot), 0, 0x1000),
      'EOPNOTSUPP',
      /shadow paging.*not kvm_tdp_page_fault \(kvm_tdp_map_page\)/,
    ));
  it('G: L2 under nested TDP runs the nested MMU', () =>
    expectReason(
      prefault(makeVm({}, slot, [{ id: 0, guestMode: true, nestedTdp: true }]), 0, 0x1000),
      'EOPNOTSUPP',
      /nested MMU.*not kvm_tdp_page_fault \(kvm_tdp_map_page\)/,
    ));
  it('R1: reject-smm-guest-mode refuses an SMM vCPU', () =>
    expectReason(
      prefault(makeVm({ prefaultPolicy: 'reject-smm-guest-mode' }, slot, [{ id: 0, smm: true }]), 0, 0x1000),
      'EOPNOTSUPP',
      /in SMM \(reject-smm-guest-mode/,
    ));
  it('S1: switch-root-mmu without TDP', () =>
    expectReason(
      prefault(makeVm({ prefaultPolicy: 'switch-root-mmu', host: { tdp: false } }, slot), 0, 0x1000),
      'EOPNOTSUPP',
      /TDP is disabled.*switch-root-mmu/,
    ));
  it('H: an obsolete root before 6.15 spins until a signal', () => {
    const vm = makeVm({ kernel: '6.14' }, [
      { gpa: 0, size: GiB },
      { slot: 1, gpa: GiB, size: GiB },
    ]);
    prefault(vm, 0, 0x1000);
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 1 });
    expectReason(prefault(vm, 0x1000, 0x1000), 'EINTR', /obsolete.*is_page_fault_stale.*\(kvm_tdp_map_page\)/);
  });
  it('EMULATE (no memslot) is ENOENT', () =>
    expectReason(prefault(makeVm({}, slot), 4 * GiB, 0x1000), 'ENOENT', /no memslot.*kvm_handle_noslot_fault.*ENOENT/));
  it('EFAULT: the hva is not mapped', () =>
    expectReason(
      prefault(makeVm({}, [{ gpa: 0, size: MiB2, backing: { mapped: false } }]), 0, 0x1000),
      'EFAULT',
      /KVM_PFN_ERR_FAULT \(kvm_handle_error_pfn\)/,
    ));
  it('EFAULT: a private gfn in a slot without guest_memfd', () => {
    const vm = makeVm({ type: 'sw_protected' }, [{ gpa: 0, size: MiB2 }]);
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: true });
    expectReason(prefault(vm, 0, 0x1000), 'EFAULT', /without KVM_MEM_GUEST_MEMFD \(kvm_mmu_faultin_pfn_gmem\)/);
  });
  it('EFAULT: a private gfn with no memslot', () => {
    const vm = makeVm({ type: 'sw_protected' }, []);
    vm.apply({ op: 'set_memory_attributes', address: hx(GiB), size: '0x1000', private: true });
    expectReason(prefault(vm, GiB, 0x1000), 'EFAULT', /no memslot covers \(kvm_handle_noslot_fault\)/);
  });
  it('ENOMEM: the page-table budget runs out inside kvm_tdp_mmu_map', () =>
    expectReason(prefault(makeVm({}, slot, [{ id: 0 }], { maxTableBytes: 4096 }), 0, 0x1000), 'ENOMEM', /page-table page.*kvm_tdp_mmu_map/));
  it('a partial success has no reason; the retry that fails has one', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2 }]);
    const r = prefault(vm, MiB2 - 0x1000, 0x2000);
    expect([r.ret, r.reason]).toEqual([0, undefined]);
    // The failing row of a successful call still says why it stopped.
    expect(r.iterations.at(-1)).toMatchObject({ errno: 'ENOENT', reason: expect.stringMatching(/kvm_handle_noslot_fault/) });
    expectReason(prefault(vm, MiB2, 0x1000), 'ENOENT', /kvm_handle_noslot_fault/);
  });
  it('successes carry no reason, neither the answer nor its rows', () => {
    const r = prefault(makeVm({}, slot), 0, 0x4000);
    expect(r.reason).toBeUndefined();
    expect(r.iterations.every((row) => row.reason === undefined)).toBe(true);
  });
});

describe('KVM_SET_USER_MEMORY_REGION2 (kvm_set_memory_region, check_memory_region_flags, kvm_arch_prepare_memory_region)', () => {
  const at = (vm: ReturnType<typeof makeVm>, s: Parameters<typeof setSlot>[1], id = 5): MemslotResult => setSlot(vm, s, id);
  const base = () => makeVm({}, [{ gpa: 0, size: GiB }]);
  const cases: [string, () => MemslotResult, string, RegExp][] = [
    [
      'guest_memfd on a VM without private memory',
      () => at(base(), { gpa: GiB, size: 0x1000, flags: ['guest_memfd'] }),
      'EINVAL',
      /KVM_MEM_GUEST_MEMFD on a VM type without private memory \(check_memory_region_flags\)/,
    ],
    [
      'guest_memfd with dirty logging',
      () => at(makeVm({ type: 'sw_protected' }), { gpa: 0, size: 0x1000, flags: ['guest_memfd', 'log_dirty_pages'] }),
      'EINVAL',
      /LOG_DIRTY_PAGES.*\(check_memory_region_flags\)/,
    ],
    [
      'readonly on a protected-state VM',
      () => at(makeVm({ type: 'sev_es', host: { vendor: 'amd' } }), { gpa: 0, size: 0x1000, flags: ['readonly'] }),
      'EINVAL',
      /kvm_arch_has_readonly_mem\(\) is false \(check_memory_region_flags\)/,
    ],
    [
      'readonly with guest_memfd',
      () => at(makeVm({ type: 'sw_protected' }), { gpa: 0, size: 0x1000, flags: ['readonly', 'guest_memfd'] }),
      'EINVAL',
      /KVM_MEM_READONLY is not a valid flag together with KVM_MEM_GUEST_MEMFD/,
    ],
    ['size alignment', () => at(base(), { gpa: GiB, size: 0x1800 }), 'EINVAL', /memory_size is not page aligned \(kvm_set_memory_region\)/],
    ['gpa alignment', () => at(base(), { gpa: GiB + 0x800, size: 0x1000 }), 'EINVAL', /guest_phys_addr is not page aligned/],
    ['hva alignment', () => at(base(), { gpa: GiB, size: 0x1000, userspaceAddr: '0x7f0000000800' }), 'EINVAL', /userspace_addr is not page aligned/],
    ['access_ok', () => at(base(), { gpa: GiB, size: 0x1000, userspaceAddr: '0xfffffffffffff000' }), 'EINVAL', /access_ok\(\) fails/],
    [
      'guest_memfd offset',
      () => at(makeVm({ type: 'sw_protected' }), { gpa: 0, size: 0x1000, flags: ['guest_memfd'], guestMemfdOffset: '0x800' }),
      'EINVAL',
      /guest_memfd_offset/,
    ],
    ['address space id', () => at(makeVm({ type: 'sw_protected' }), { as: 1, gpa: 0, size: 0x1000 }), 'EINVAL', /kvm_arch_nr_memslot_as_ids/],
    ['slot id', () => at(base(), { gpa: GiB, size: 0x1000 }, 40000), 'EINVAL', /KVM_USER_MEM_SLOTS/],
    ['gpa + size wraps', () => at(base(), { gpa: 0xfffffffffffff000n, size: 0x2000 }), 'EINVAL', /guest_phys_addr \+ memory_size wraps/],
    ['overlap', () => at(base(), { gpa: 0x1000, size: 0x1000 }), 'EEXIST', /overlaps another memslot.*\(kvm_check_memslot_overlap\)/],
    ['above kvm_mmu_max_gfn', () => at(base(), { gpa: 2 ** 46, size: 0x1000 }), 'EINVAL', /kvm_mmu_max_gfn\(\).*\(kvm_arch_prepare_memory_region\)/],
    [
      'a TDX alias slot',
      () => at(makeVm({ type: 'tdx', host: { maxPhysAddr: 48 } }), { gpa: 2 ** 47, size: 0x1000 }),
      'EINVAL',
      /kvm_is_gfn_alias\(\) \(kvm_arch_prepare_memory_region\)/,
    ],
    [
      'deleting a slot that does not exist',
      () => base().apply({ op: 'delete_memslot', addressSpace: 0, slot: 9 }) as MemslotResult,
      'EINVAL',
      /does not exist \(kvm_set_memory_region\)/,
    ],
    ['size 0 on a slot that does not exist', () => at(base(), { gpa: 0, size: 0 }, 9), 'EINVAL', /does not exist/],
    [
      'changing the size of a slot',
      () => at(base(), { gpa: 0, size: 2 * GiB }, 0),
      'EINVAL',
      /cannot change userspace_addr, memory_size or KVM_MEM_READONLY/,
    ],
    [
      'moving a guest_memfd slot',
      () => {
        const vm = makeVm({ type: 'sw_protected' }, [{ gpa: 0, size: MiB2, flags: ['guest_memfd'] }]);
        return at(vm, { gpa: GiB, size: MiB2, flags: ['guest_memfd'] }, 0);
      },
      'EINVAL',
      /KVM_MEM_GUEST_MEMFD memslot cannot be moved/,
    ],
    [
      'moving onto another slot',
      () => {
        const vm = makeVm({}, [
          { gpa: 0, size: MiB2, userspaceAddr: hx(2 ** 40) },
          { slot: 1, gpa: GiB, size: MiB2 },
        ]);
        return at(vm, { gpa: GiB, size: MiB2, userspaceAddr: hx(2 ** 40) }, 0);
      },
      'EEXIST',
      /kvm_check_memslot_overlap/,
    ],
  ];
  for (const [name, call, errno, why] of cases) it(name, () => expectReason(call(), errno, why));
  it('a created slot has no reason', () => expect(at(base(), { gpa: GiB, size: MiB2 }).reason).toBeUndefined());
});

describe('KVM_SET_MEMORY_ATTRIBUTES (kvm_vm_ioctl_set_mem_attributes)', () => {
  const attrs = (vm: ReturnType<typeof makeVm>, address: string, size: string, priv = true) =>
    vm.apply({ op: 'set_memory_attributes', address, size, private: priv }) as IoctlResult;
  it('PRIVATE on a VM without private memory', () =>
    expectReason(attrs(makeVm(), '0x0', '0x1000'), 'EINVAL', /kvm_supported_mem_attributes\(\).*\(kvm_vm_ioctl_set_mem_attributes\)/));
  it('size 0', () => expectReason(attrs(makeVm({ type: 'sw_protected' }), '0x0', '0x0'), 'EINVAL', /size is 0 \(kvm_vm_ioctl_set_mem_attributes\)/));
  it('wrap-around', () => expectReason(attrs(makeVm({ type: 'sw_protected' }), '0xfffffffffffff000', '0x2000'), 'EINVAL', /address \+ size wraps/));
  it('alignment', () =>
    expectReason(attrs(makeVm({ type: 'sw_protected' }), '0x800', '0x1000'), 'EINVAL', /not page aligned \(kvm_vm_ioctl_set_mem_attributes\)/));
  it('a success has no reason', () => expect(attrs(makeVm({ type: 'sw_protected' }), '0x0', '0x1000').reason).toBeUndefined());
});

describe('finalize (KVM_MEMORY_ENCRYPT_OP)', () => {
  it('ENOTTY without a launch flow', () =>
    expectReason(makeVm().apply({ op: 'finalize' }) as IoctlResult, 'ENOTTY', /mem_enc_ioctl.*\(kvm_arch_vm_ioctl/));
  it('EINVAL for a TD finalized twice', () => {
    const vm = makeVm({ type: 'tdx' });
    expect((vm.apply({ op: 'finalize' }) as IoctlResult).reason).toBeUndefined();
    expectReason(vm.apply({ op: 'finalize' }) as IoctlResult, 'EINVAL', /TD_STATE_INITIALIZED \(tdx_td_finalize\)/);
  });
  it('EINVAL for an SNP guest launched twice', () => {
    const vm = makeVm({ type: 'sev_snp', host: { vendor: 'amd' } });
    vm.apply({ op: 'finalize' });
    expectReason(vm.apply({ op: 'finalize' }) as IoctlResult, 'EINVAL', /snp_launch_finish/);
  });
});

describe('vCPU ioctls on a dead VM', () => {
  it('KVM_SET_VCPU_EVENTS-style mode changes answer EIO naming kvm->vm_dead', () => {
    const vm = makeVm({}, slot);
    vm.apply({ op: 'mark_dead' });
    expectReason(vm.apply({ op: 'set_vcpu_mode', vcpuId: 0, patch: { smm: true } }) as IoctlResult, 'EIO', /vm_dead.*kvm_vcpu_ioctl/);
  });
});

describe('guest access (KVM_RUN) failures', () => {
  it('EFAULT from the fault path names the check on the answer and its row', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, backing: { mapped: false } }]);
    const r = access(vm, 0, 'read');
    expect([r.errno, r.exit]).toEqual(['EFAULT', 'KVM_EXIT_MEMORY_FAULT']);
    expect(r.reason).toMatch(/KVM_PFN_ERR_FAULT \(kvm_handle_error_pfn\)/);
    expect(r.iterations.at(-1)!.reason).toBe(r.reason);
  });
  it('ENOMEM when the root cannot be loaded', () => {
    const r = access(makeVm({}, slot, [{ id: 0 }], { maxTableBytes: 0 }), 0, 'read');
    expectReason(r, 'ENOMEM', /kvm_mmu_reload\(\) failed.*vcpu_enter_guest/);
  });
  it('a successful access has no reason', () => {
    expect(access(makeVm({}, slot), 0, 'write').reason).toBeUndefined();
  });
});
