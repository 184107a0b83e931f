// Which host mappings can back an arm64 memslot (contract v2 "backing"; spec part 2 §18.6):
// THP gives PAGE_SIZE or a PMD block, hugetlbfs adds the contiguous-PTE, contiguous-PMD and
// (4K, 16K) PUD/contiguous sizes of the granule. Anything else is a 400 naming backing.pageSize.
// Also the words of kvm_arch_prepare_memory_region's refusal.
import { describe, expect, it } from 'vitest';
import type { ArchLevelName } from '../../../src/sim/arch-types.js';
import { SimError } from '../../../src/sim/errors.js';
import type { Granule } from '../../../src/sim/arm64/pgtable.js';
import { G1, M2, arm64Vm, hx, pf } from './helpers.js';

const NAMES: ArchLevelName[] = ['4K', '16K', '64K', '1M', '2M', '32M', '512M', '1G', '2G', '16G'];
/** The contract's table: sizes with hugetlb false, and the extra ones with hugetlb true. */
const CONTRACT: Record<Granule, { thp: ArchLevelName[]; hugetlb: ArchLevelName[] }> = {
  '4K': { thp: ['4K', '2M'], hugetlb: ['64K', '2M', '32M', '1G'] },
  '16K': { thp: ['16K', '32M'], hugetlb: ['2M', '32M', '1G'] },
  '64K': { thp: ['64K', '512M'], hugetlb: ['2M', '512M', '16G'] },
};

/** The accepted sizes of a granule: every level name a 1G slot can be created with. */
const accepted = (granule: Granule, hugetlb: boolean | undefined): ArchLevelName[] =>
  NAMES.filter((pageSize) => {
    const vm = arm64Vm({ host: { granule } });
    try {
      const backing = hugetlb === undefined ? { pageSize } : { pageSize, hugetlb };
      return vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(G1), backing }).ret === 0;
    } catch (e) {
      if (e instanceof SimError && e.field === 'backing.pageSize') return false;
      throw e;
    }
  });

describe('memslot backing sizes per granule (contract v2 "backing")', () => {
  it.each(['4K', '16K', '64K'] as Granule[])('%s host: THP sizes without hugetlb, plus the hugetlbfs sizes with it', (g) => {
    const thp = NAMES.filter((n) => CONTRACT[g].thp.includes(n));
    const withHugetlb = NAMES.filter((n) => CONTRACT[g].thp.includes(n) || CONTRACT[g].hugetlb.includes(n));
    expect([accepted(g, undefined), accepted(g, false), accepted(g, true)]).toEqual([thp, thp, withHugetlb]);
  });

  it('the refusal names the size, the granule and whether hugetlb was set', () => {
    const words = (hugetlb: boolean) => {
      try {
        arm64Vm({ host: { granule: '16K' } }).setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(G1), backing: { pageSize: '4K', hugetlb } });
        return null;
      } catch (e) {
        return [(e as SimError).code, (e as SimError).field, (e as SimError).message];
      }
    };
    expect([words(false), words(true)]).toEqual([
      ['invalid', 'backing.pageSize', 'backing.pageSize 4K is not a host mapping size of a 16K arm64 host without hugetlb'],
      ['invalid', 'backing.pageSize', 'backing.pageSize 4K is not a host mapping size of a 16K arm64 host'],
    ]);
  });
});

describe('a 16G hugetlbfs page on a 64K host (contiguous PMD)', () => {
  it('backs a slot, and user_mem_abort maps it with a 512M block: CONT_PMD_SHIFT falls to PMD_SHIFT', () => {
    const vm = arm64Vm({ host: { granule: '64K' } });
    expect(vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(G1), backing: { pageSize: '16G', hugetlb: true } }).ret).toBe(0);
    const r = pf(vm, G1, 0x10000);
    expect([r.ret, r.mapped.map((m) => [m.gpa, m.level])]).toEqual([0, [[hx(G1), '512M']]]);
  });
});

describe('kvm_arch_prepare_memory_region: no memslot outside the IPA space', () => {
  it('EFAULT (-14) with the reason naming kvm_phys_size()', () => {
    const r = arm64Vm({ arm64: { ipaBits: 36 } }).setMemslot(0, 0, { guestPhysAddr: hx(2 ** 36 - M2), size: hx(2 * M2) });
    expect([r.ret, r.errno, r.reason]).toEqual([
      -14,
      'EFAULT',
      'the memslot ends above the VM IPA size, kvm_phys_size() (kvm_arch_prepare_memory_region)',
    ]);
  });
});
