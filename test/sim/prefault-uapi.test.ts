// The generic ioctl: kvm_main.c:kvm_vcpu_pre_fault_memory (spec §1-§2) and its x86 gate
// (mmu.c:kvm_arch_vcpu_pre_fault_memory check A, spec §3.3).
import { describe, expect, it } from 'vitest';
import { GiB, makeVm, prefault, trace } from './helpers.js';

const ram = [{ gpa: 0, size: GiB, backing: { pageSize: '4K' as const } }];

describe('kvm_vcpu_pre_fault_memory validation (V1-V4)', () => {
  it('V1: flags != 0 is EINVAL even with an unaligned gpa, with no rows and the struct echoed', () => {
    const r = prefault(makeVm({}, ram), 0x123, 0x1000, { flags: 1 });
    expect([r.ret, r.errno, r.iterations.length, r.root]).toEqual([-22, 'EINVAL', 0, null]);
    expect(r.range).toEqual({ gpa: '0x123', size: '0x1000', flags: '0x1' });
  });
  it('V2/V3: gpa or size not 4K-aligned is EINVAL', () => {
    const vm = makeVm({}, ram);
    expect(prefault(vm, 0x800, 0x1000).errno).toBe('EINVAL');
    expect(prefault(vm, 0x1000, 0x800).errno).toBe('EINVAL');
  });
  it('V4: size 0 and gpa+size wrapping are EINVAL', () => {
    const vm = makeVm({}, ram);
    expect(prefault(vm, 0, 0).errno).toBe('EINVAL');
    expect(prefault(vm, 0xfffffffffffff000n, 0x1000).errno).toBe('EINVAL');
    expect(prefault(vm, 0xfffffffffffff000n, 0x1000).range.gpa).toBe('0xfffffffffffff000');
  });
  it('V1-V4 come before the signal check and before check A', () => {
    const tdx = makeVm({ type: 'tdx' }, []);
    expect(prefault(tdx, 0, 0, { inject: { signalPending: true } }).errno).toBe('EINVAL');
  });
  it('padding is never validated', () => {
    const vm = makeVm({}, ram);
    const r = vm.apply({
      op: 'pre_fault',
      vcpuId: 0,
      gpa: '0x0',
      size: '0x1000',
      flags: '0x0',
      padding: ['0xffffffffffffffff', '0x1', '0x2', '0x3', '0x4'],
    });
    expect((r as { ret: number }).ret).toBe(0);
  });
});

describe('kvm_vcpu_pre_fault_memory loop (L2-L6)', () => {
  it('L2: a signal pending on entry beats EOPNOTSUPP and adds no row', () => {
    const r = prefault(makeVm({ type: 'tdx' }, []), 0, 0x1000, { inject: { signalPending: true } });
    expect([r.ret, r.errno, r.iterations.length]).toEqual([-4, 'EINTR', 0]);
    expect(r.range.size).toBe('0x1000');
  });
  it('L6: a signal after N iterations returns 0 with the leftover range, without a row for the stop', () => {
    const r = prefault(makeVm({}, ram), 0, 0x10000, { inject: { signalAfterIterations: 3 } });
    expect([r.ret, r.errno, r.range.gpa, r.range.size]).toEqual([0, null, '0x3000', '0xd000']);
    expect(trace(r)).toEqual(['0x0 FIXED 4K 0x1000 x3']);
  });
  it('signalAfterIterations 0 behaves exactly like signalPending', () => {
    const a = prefault(makeVm({}, ram), 0, 0x2000, { inject: { signalAfterIterations: 0 } });
    const b = prefault(makeVm({}, ram), 0, 0x2000, { inject: { signalPending: true } });
    expect(a).toEqual(b);
  });
  it('signalAfterIterations beyond the iterations needed has no effect', () => {
    const r = prefault(makeVm({}, ram), 0, 0x2000, { inject: { signalAfterIterations: 2 } });
    expect([r.ret, r.range.size]).toEqual([0, '0x0']);
  });
  it('L5: progress hides a later error; the retry of the leftover returns it', () => {
    const vm = makeVm({}, ram);
    const first = prefault(vm, GiB - 0x1000, 0x2000);
    expect([first.ret, first.range.gpa, first.range.size]).toEqual([0, '0x40000000', '0x1000']);
    const retry = prefault(vm, GiB, 0x1000);
    expect([retry.ret, retry.errno]).toEqual([-2, 'ENOENT']);
  });
});

describe('kvm_arch_vcpu_pre_fault_memory check A: pre_fault_allowed (spec §3.3)', () => {
  it('SNP and TDX VMs refuse with EOPNOTSUPP until finalized, then map', () => {
    for (const type of ['sev_snp', 'tdx'] as const) {
      const vendor = type === 'tdx' ? 'intel' : 'amd';
      const vm = makeVm({ type, host: { vendor } }, [{ gpa: 0, size: 0x200000 }]);
      expect(vm.preFaultAllowed).toBe(false);
      expect(prefault(vm, 0, 0x1000).errno).toBe('EOPNOTSUPP');
      expect(prefault(vm, 0, 0x1000).root).toBeNull();
      expect(vm.apply({ op: 'finalize' })).toEqual({ ret: 0, errno: null });
      expect(vm.preFaultAllowed).toBe(true);
      expect(prefault(vm, 0, 0x1000).ret).toBe(0);
      // tdx_td_finalize: a second FINALIZE_VM finds the TD runnable -> EINVAL.
      expect(vm.apply({ op: 'finalize' })).toMatchObject({ ret: -22, errno: 'EINVAL' });
    }
  });
  it('default, sw_protected, sev and sev_es VMs may pre-fault at once', () => {
    for (const [type, vendor] of [
      ['default', 'intel'],
      ['sw_protected', 'intel'],
      ['sev', 'amd'],
      ['sev_es', 'amd'],
    ] as const) {
      expect(makeVm({ type, host: { vendor } }, []).preFaultAllowed, type).toBe(true);
    }
  });
  it('finalize is ENOTTY for VM types without a launch flow', () => {
    expect(makeVm({}, []).apply({ op: 'finalize' })).toMatchObject({ ret: -25, errno: 'ENOTTY' });
  });
});

describe('KVM_CHECK_EXTENSION(KVM_CAP_PRE_FAULT_MEMORY) = TDP enabled (x86.c:kvm_vm_ioctl_check_extension)', () => {
  it('is 1 with TDP and 0 without, whatever the policy', () => {
    for (const prefaultPolicy of ['upstream', 'switch-root-mmu', 'reject-smm-guest-mode'] as const) {
      expect(makeVm({ prefaultPolicy }).capabilities().KVM_CAP_PRE_FAULT_MEMORY).toBe(1);
      expect(makeVm({ prefaultPolicy, host: { tdp: false } }).capabilities().KVM_CAP_PRE_FAULT_MEMORY).toBe(0);
    }
  });
  it('without TDP the ioctl exists and fails with EOPNOTSUPP (api.rst 4.143)', () => {
    const r = prefault(makeVm({ host: { tdp: false } }, ram), 0, 0x1000);
    expect([r.errno, r.root]).toEqual(['EOPNOTSUPP', null]);
  });
});
