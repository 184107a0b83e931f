// One iteration (spec part 2 §18.2): kvm_arch_vcpu_pre_fault_memory's memslot checks, the
// shared walk of pre_fault_s2 / kvm_walk_s2, and pre_fault_bytes_consumed.
import { describe, expect, it } from 'vitest';
import { G1, K4, M2, arm64Vm, counts, hx, pf, rows } from './helpers.js';

describe('kvm_arch_vcpu_pre_fault_memory P1: gfn_to_memslot', () => {
  it('no memslot: ENOENT before any walk (fsc null, no attempt)', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: M2 }]);
    const r = pf(vm, 2 * G1, K4);
    expect(rows(r)).toEqual([`${hx(2 * G1)} ERROR - 0x0 x1 ENOENT - 0`]);
    expect([r.ret, r.root?.kind]).toEqual([-2, 's2-canonical']);
  });
  it('a gpa above the IPA size has no memslot either: ENOENT', () => {
    const vm = arm64Vm({ arm64: { ipaBits: 36 } }, [{ gpa: G1, size: M2 }]);
    expect(pf(vm, 2 ** 36, K4).errno).toBe('ENOENT');
  });
  it('progress then a hole: ret 0, range stops at the hole (kvm_vcpu_pre_fault_memory L5)', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: 2 * K4, backing: { pageSize: '4K' } }]);
    const r = pf(vm, G1, 4 * K4);
    expect([r.ret, r.range.gpa, r.range.size]).toEqual([0, hx(G1 + 2 * K4), hx(2 * K4)]);
    expect(rows(r)).toEqual([
      `${hx(G1)} FIXED 4K 0x1000 x1 - TRANSLATION_L1 1`,
      `${hx(G1 + K4)} FIXED 4K 0x1000 x1 - TRANSLATION_L3 1`,
      `${hx(G1 + 2 * K4)} ERROR - 0x0 x1 ENOENT - 0`,
    ]);
  });
});

describe('kvm_arch_vcpu_pre_fault_memory P2: KVM_MEMSLOT_INVALID answers EAGAIN before the walk', () => {
  it('even a gpa that is still mapped gets EAGAIN at once, no attempt', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: M2, backing: { pageSize: '4K' } }]);
    expect(pf(vm, G1, K4).ret).toBe(0);
    const r = pf(vm, G1, K4, { memslotBeingDeleted: { addressSpace: 0, slot: 0 } });
    expect([r.ret, r.errno, rows(r)]).toEqual([-11, 'EAGAIN', [`${hx(G1)} ERROR - 0x0 x1 EAGAIN - 0`]]);
    expect(r.reason).toMatch(/KVM_MEMSLOT_INVALID/);
  });
  it("a slot of the same id in another address space is not the vCPU's: kvm_vcpu_memslots() reads address space 0", () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: M2 }]);
    const r = pf(vm, G1, K4, { memslotBeingDeleted: { addressSpace: 1, slot: 0 } });
    expect([r.ret, rows(r)]).toEqual([0, [`${hx(G1)} FIXED 4K 0x1000 x1 - TRANSLATION_L1 1`]]);
  });
});

describe('pre_fault_s2 -> kvm_walk_s2: a valid leaf is SPURIOUS with that leaf size, nothing written', () => {
  it('a 4K pre-fault inside an existing 2M block consumes to the block end and changes no count', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '2M' } }]);
    pf(vm, G1, M2);
    const before = counts(vm);
    const r = pf(vm, G1 + 3 * K4, 8 * K4);
    expect(rows(r)).toEqual([`${hx(G1 + 3 * K4)} SPURIOUS 2M 0x8000 x1 - - 1`]);
    expect([counts(vm), r.mapped]).toEqual([before, []]);
  });
  it('pre_fault_bytes_consumed: min(granule - gpa mod granule, remaining): a 2M mapping entered mid-way consumes to its end', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '2M' } }]);
    const r = pf(vm, G1 + 0x1ff000, 2 * K4);
    expect(rows(r)).toEqual([`${hx(G1 + 0x1ff000)} FIXED 2M 0x1000 x1 - TRANSLATION_L1 1`, `${hx(G1 + M2)} FIXED 2M 0x1000 x1 - TRANSLATION_L2 1`]);
    expect(r.mapped.map((m) => [m.gpa, m.level, m.count])).toEqual([[hx(G1), '2M', 2]]);
  });
  it('the walk reads only the canonical stage-2: rows merge while fsc and attempts match', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '4K' } }]);
    const r = pf(vm, G1, 4 * K4);
    expect(rows(r)).toEqual([`${hx(G1)} FIXED 4K 0x1000 x1 - TRANSLATION_L1 1`, `${hx(G1 + K4)} FIXED 4K 0x1000 x3 - TRANSLATION_L3 1`]);
  });
});
