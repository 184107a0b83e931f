// Failure paths of one iteration (spec part 2 §18.2 P3, §18.4, §18.5): the retry bound of
// kvm_arch_vcpu_pre_fault_memory (MAX_PRE_FAULT_RETRIES), mmu_invalidate_retry in
// kvm_s2_fault_map, EHWPOISON from kvm_s2_fault_pin_pfn, EFAULT from kvm_s2_fault_get_vma_info.
import { describe, expect, it } from 'vitest';
import { G1, K4, arm64Vm, hx, pf, rows } from './helpers.js';

describe('kvm_arch_vcpu_pre_fault_memory: up to 1 + MAX_PRE_FAULT_RETRIES attempts on EAGAIN', () => {
  it('3 lost races: the 4th attempt maps', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    const r = pf(vm, G1, K4, { invalidationRaces: 3 });
    expect([r.ret, rows(r)]).toEqual([0, [`${hx(G1)} FIXED 4K 0x1000 x1 - TRANSLATION_L1 4`]]);
  });
  it('4 lost races: EAGAIN after 4 attempts, nothing mapped', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    const r = pf(vm, G1, K4, { invalidationRaces: 4 });
    expect([r.ret, r.errno, rows(r), vm.mappings()]).toEqual([-11, 'EAGAIN', [`${hx(G1)} ERROR - 0x0 x1 EAGAIN TRANSLATION_L1 4`], []]);
  });
  it('the count is per iteration: after 3 races the next page starts again at attempt 1', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    const r = pf(vm, G1, 2 * K4, { invalidationRaces: 3 });
    expect([r.ret, r.range.gpa]).toEqual([0, hx(G1 + 2 * K4)]);
    expect(rows(r)).toEqual([`${hx(G1)} FIXED 4K 0x1000 x1 - TRANSLATION_L1 4`, `${hx(G1 + K4)} FIXED 4K 0x1000 x1 - TRANSLATION_L3 1`]);
  });
  it('a walk that finds a leaf makes no fault attempt, so it consumes no race', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    pf(vm, G1, K4);
    const r = pf(vm, G1, 2 * K4, { invalidationRaces: 1 });
    expect(rows(r)).toEqual([`${hx(G1)} SPURIOUS 4K 0x1000 x1 - - 1`, `${hx(G1 + K4)} FIXED 4K 0x1000 x1 - TRANSLATION_L3 2`]);
  });
});

describe('user_mem_abort with a result record: EHWPOISON returned, no SIGBUS', () => {
  it('a poisoned host page answers EHWPOISON (-133), not EINTR: no signal was queued', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { hwpoison: [hx(G1 + K4)] } }]);
    const r = pf(vm, G1 + K4, K4);
    expect([r.ret, r.errno, rows(r)]).toEqual([-133, 'EHWPOISON', [`${hx(G1 + K4)} ERROR - 0x0 x1 EHWPOISON TRANSLATION_L1 1`]]);
    expect(r.reason).toMatch(/kvm_s2_fault_pin_pfn/);
  });
  it('after progress the error is lost: ret 0 and the range stops at the poisoned page', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { hwpoison: [hx(G1 + K4)] } }]);
    const r = pf(vm, G1, 4 * K4);
    expect([r.ret, r.range.gpa, r.range.size]).toEqual([0, hx(G1 + K4), hx(3 * K4)]);
  });
  it('hwpoison needs host-page backing (a 400 naming backing.hwpoison)', () => {
    expect(() => arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '2M', hwpoison: [hx(G1)] } }])).toThrow(/backing.hwpoison/);
  });
});

describe('kvm_s2_fault_get_vma_info: no VMA at the hva', () => {
  it('EFAULT after the walk (fsc set, one attempt)', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { mapped: false } }]);
    const r = pf(vm, G1, K4);
    expect([r.errno, rows(r)]).toEqual(['EFAULT', [`${hx(G1)} ERROR - 0x0 x1 EFAULT TRANSLATION_L1 1`]]);
  });
});

describe('kvm_vcpu_pre_fault_memory: a signal at the loop top', () => {
  it('signalPending: EINTR with no iteration', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    const r = pf(vm, G1, K4, { signalPending: true });
    expect([r.errno, r.iterations.length, r.root]).toEqual(['EINTR', 0, null]);
  });
});
