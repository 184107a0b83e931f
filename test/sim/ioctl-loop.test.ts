// kvm_vcpu_pre_fault_memory's loop rules that no real step reaches, tested on the loop itself,
// and the kvm_mmu_reload check of kvm_arch_vcpu_pre_fault_memory on 6.11.
import { describe, expect, it } from 'vitest';
import { preFaultLoop } from '../../src/sim/prefault.js';
import { makeVm, prefault } from './helpers.js';

describe('the generic loop (kvm_vcpu_pre_fault_memory)', () => {
  it('a step that consumes zero bytes WARNs and breaks: the call returns 0, not EIO', () => {
    expect(preFaultLoop(0, 4, Infinity, () => 0)).toEqual({ ret: 0, consumed: 0, signalled: false, warned: true });
  });
  it('-EIO also WARNs and breaks, and is returned when nothing was consumed', () => {
    expect(preFaultLoop(0, 4, Infinity, () => -5)).toEqual({ ret: -5, consumed: 0, signalled: false, warned: true });
  });
  it('after progress any stop returns 0 with the leftover range', () => {
    let n = 0;
    expect(preFaultLoop(0, 4, Infinity, () => (n++ === 0 ? 1 : 0))).toEqual({ ret: 0, consumed: 1, signalled: false, warned: true });
    n = 0;
    expect(preFaultLoop(0, 4, Infinity, () => (n++ === 0 ? 1 : -2))).toEqual({ ret: 0, consumed: 1, signalled: false, warned: false });
  });
  it('a signal after N iterations stops at the loop top without calling the step again', () => {
    const seen: number[] = [];
    const out = preFaultLoop(10, 4, 2, (gfn) => (seen.push(gfn), 1));
    expect([out, seen]).toEqual([{ ret: 0, consumed: 2, signalled: true, warned: false }, [10, 11]]);
  });
});

describe('kvm_mmu_reload result (28cec7f08b8b, in 6.11-rc7, so every released version checks it)', () => {
  it('6.11 returns the reload error (ENOMEM) instead of faulting on a missing root', () => {
    const r = prefault(makeVm({ kernel: '6.11' }, [{ gpa: 0, size: 0x200000 }], [{ id: 0 }], { maxTableBytes: 0 }), 0, 0x1000);
    expect([r.ret, r.errno, r.root]).toEqual([-12, 'ENOMEM', null]);
    expect(r.reason).toMatch(/kvm_mmu_reload\(\) failed/);
  });
});
