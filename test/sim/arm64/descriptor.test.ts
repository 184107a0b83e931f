// Leaf descriptor bits after a pre-fault (spec part 2 §18.7): stage2_set_prot_attr,
// kvm_init_valid_leaf_pte, kvm_s2_fault_compute_prot, gmem_abort.
import { describe, expect, it } from 'vitest';
import { GMEM_BASE_FRAME, HUGE_ZERO_FRAME, ZERO_PAGE_FRAME } from '../../../src/sim/arm64/mmu.js';
import { G1, K4, M2, arm64Vm, hx, pf } from './helpers.js';

const TiB = 2n ** 40n;
const leaf = (vm: ReturnType<typeof arm64Vm>, gpa: number): bigint => BigInt(vm.walk('s2-0', hx(gpa)).steps.at(-1)!.spte);
const pa = (gpa: number): bigint => TiB + BigInt(gpa);

describe('stage2_set_prot_attr with FWB, inner-shareable, no DIC', () => {
  it('a writable 2M block is PA | 0x00400000000007D9, a read-only one PA | 0x0040000000000759', () => {
    const rw = arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '2M' } }]);
    const ro = arm64Vm({}, [{ gpa: G1, size: G1, flags: ['readonly'], backing: { pageSize: '2M' } }]);
    pf(rw, G1, K4);
    pf(ro, G1, K4);
    expect([leaf(rw, G1), leaf(ro, G1)]).toEqual([pa(G1) | 0x00400000000007d9n, pa(G1) | 0x0040000000000759n]);
  });
  it('a writable 4K page is PA | 0x00400000000007DB (type bit set at level 3), read-only 0x...75B', () => {
    const rw = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    const ro = arm64Vm({}, [{ gpa: G1, size: G1, flags: ['readonly'] }]);
    pf(rw, G1 + K4, K4);
    pf(ro, G1 + K4, K4);
    expect([leaf(rw, G1 + K4), leaf(ro, G1 + K4)]).toEqual([pa(G1 + K4) | 0x00400000000007dbn, pa(G1 + K4) | 0x004000000000075bn]);
  });
  it('archBits: memAttr 6, S2AP R and W, SH 3, AF 1, XN', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    expect(pf(vm, G1, K4).mapped[0]!.archBits).toEqual({ memAttr: 6, s2apR: true, s2apW: true, sh: 3, af: true, xn: true });
  });
});

describe('MemAttr without FWB (MT_S2_NORMAL 0b1111) and XN with DIC', () => {
  it('no FWB: 0x7D9 becomes 0x7FD', () => {
    const vm = arm64Vm({ host: { fwb: false } }, [{ gpa: G1, size: G1, backing: { pageSize: '2M' } }]);
    pf(vm, G1, K4);
    expect(leaf(vm, G1)).toBe(pa(G1) | 0x00400000000007fdn);
    expect(vm.mappings()[0]!.archBits.memAttr).toBe(15);
    // The walk's leaf step carries the same leaf as a one-leaf mapping row.
    expect(vm.walk('s2-0', hx(G1)).steps.at(-1)!.mapping).toEqual(vm.mappings()[0]);
  });
  it('ARM64_HAS_CACHE_DIC: the leaf is executable, bit 54 clear (kvm_s2_fault_compute_prot)', () => {
    const vm = arm64Vm({ host: { cacheDic: true } }, [{ gpa: G1, size: G1, backing: { pageSize: '2M' } }]);
    pf(vm, G1, K4);
    expect([leaf(vm, G1), vm.mappings()[0]!.executable]).toEqual([pa(G1) | 0x7d9n, true]);
  });
});

describe('__kvm_faultin_pfn for a read: writability comes from the host page', () => {
  it('untouched anonymous memory maps the shared zero page read-only', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { writable: false } }]);
    const m = pf(vm, G1, 2 * K4).mapped;
    expect(m.map((r) => [r.hostPfn, r.writable, r.count])).toEqual([
      [hx(ZERO_PAGE_FRAME), false, 1],
      [hx(ZERO_PAGE_FRAME), false, 1],
    ]);
  });
  it('untouched THP memory maps the huge zero page as a read-only 2M block', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '2M', writable: false } }]);
    const m = pf(vm, G1 + K4, K4).mapped;
    expect(m.map((r) => [r.level, r.hostPfn, r.writable])).toEqual([['2M', hx(HUGE_ZERO_FRAME), false]]);
  });
  it('hostPfn counts host pages: a 64K host reports PA >> 16', () => {
    const vm = arm64Vm({ host: { granule: '64K' } }, [{ gpa: G1, size: G1 }]);
    expect(pf(vm, G1, 0x10000).mapped[0]!.hostPfn).toBe(hx(pa(G1) >> 16n));
  });
});

describe('gmem_abort: PAGE_SIZE always, writable unless the slot is read-only', () => {
  it('a guest_memfd slot maps 4K writable pages of the file at its offset, even over untouched host memory', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, flags: ['guest_memfd'], gmemOffset: M2, backing: { writable: false } }]);
    const r = pf(vm, G1, M2);
    expect(r.iterations.map((i) => [i.level, i.count])).toEqual([
      ['4K', 1],
      ['4K', 511],
    ]);
    expect(r.mapped.map((m) => [m.level, m.count, m.writable, m.hostPfn])).toEqual([['4K', 512, true, hx(GMEM_BASE_FRAME + M2 / 4096)]]);
  });
});
