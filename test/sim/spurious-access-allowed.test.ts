// 386d69f9f29b "KVM: x86/mmu: Treat TDP MMU faults as spurious if access is already allowed"
// (6.13-rc4). The patch adds one check, to tdp_mmu.c:tdp_mmu_map_handle_target_level; in
// mmu.c it only moves is_access_allowed to spte.h (fast_page_fault keeps using it), so the
// legacy MMU's mmu_set_spte still rebuilds the SPTE. The fault that shows it: a guest fetch
// from a non-executable NX huge page, whose split leaves an executable 4K child at the goal.
import { describe, expect, it } from 'vitest';
import { KERNEL_VERSIONS, type KernelVersion } from '../../src/sim/index.js';
import { MiB2, access, makeVm, prefault } from './helpers.js';

function fetchAfterSplit(kernel: KernelVersion, tdpMmu: boolean): string[] {
  const vm = makeVm({ kernel, host: { nxHugePages: true, tdpMmu } }, [{ gpa: 0, size: 2 * MiB2, backing: { pageSize: '2M' } }]);
  expect(prefault(vm, 0, MiB2).iterations.map((i) => `${i.result} ${i.level}`)).toEqual(['FIXED 2M']);
  return access(vm, 0x5000, 'exec').iterations.map((i) => `${i.result} ${i.level}`);
}

describe('tdp_mmu_map_handle_target_level: a non-prefetch fault the present leaf already allows', () => {
  for (const kernel of KERNEL_VERSIONS) {
    const has = kernel >= '6.13';
    it(`${kernel}, TDP MMU: ${has ? 'SPURIOUS (386d69f9f29b)' : 'FIXED (make_spte rebuilds the leaf with A set)'}`, () => {
      expect(fetchAfterSplit(kernel, true)).toEqual([has ? 'SPURIOUS 4K' : 'FIXED 4K']);
    });
    it(`${kernel}, legacy MMU: FIXED (mmu_set_spte has no access-allowed check)`, () => {
      expect(fetchAfterSplit(kernel, false)).toEqual(['FIXED 4K']);
    });
  }
});
