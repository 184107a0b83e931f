// gmem_abort (spec part 2 §18.4): a guest_memfd slot maps PAGE_SIZE from the guest_memfd
// pool (kvm_gmem_get_pfn: the file page at guest_memfd_offset + (gfn - base_gfn)), R and W
// whatever the host VMA allows, and an MMU-notifier race is EAGAIN, retried by
// kvm_arch_vcpu_pre_fault_memory like user_mem_abort's.
import { describe, expect, it } from 'vitest';
import { GMEM_BASE_FRAME } from '../../../src/sim/arm64/mmu.js';
import { G1, K4, M2, arm64Vm, counts, hx, pf, rows } from './helpers.js';

const OFFSET = 0x5000;
const gmemVm = () => arm64Vm({}, [{ gpa: G1, size: M2, flags: ['guest_memfd'], gmemOffset: OFFSET, backing: { writable: false, pageSize: '2M' } }]);

describe('gmem_abort', () => {
  it('pages at the slot offset of the guest_memfd file, writable although the host backing is read-only and THP', () => {
    const vm = gmemVm();
    const r = pf(vm, G1 + 2 * K4, 3 * K4);
    expect(rows(r)).toEqual([`${hx(G1 + 2 * K4)} FIXED 4K 0x1000 x1 - TRANSLATION_L1 1`, `${hx(G1 + 3 * K4)} FIXED 4K 0x1000 x2 - TRANSLATION_L3 1`]);
    const file = GMEM_BASE_FRAME + OFFSET / K4;
    expect(vm.mappings().map((m) => [m.gpa, m.level, m.count, m.hostPfn, m.writable])).toEqual([[hx(G1 + 2 * K4), '4K', 3, hx(file + 2), true]]);
    expect(r.mapped).toEqual(vm.mappings());
    expect(counts(vm)).toMatchObject({ '4K': 3, '2M': 0 });
  });

  it('races: each lost attempt is retried, and the page after starts again at attempt 1', () => {
    const vm = gmemVm();
    const r = pf(vm, G1, 2 * K4, { invalidationRaces: 2 });
    expect(rows(r)).toEqual([`${hx(G1)} FIXED 4K 0x1000 x1 - TRANSLATION_L1 3`, `${hx(G1 + K4)} FIXED 4K 0x1000 x1 - TRANSLATION_L3 1`]);
    expect(counts(vm)['4K']).toBe(2);
  });
});
