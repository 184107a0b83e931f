// The mapping size of a synthetic read fault (spec part 2 §18.6): kvm_s2_resolve_vma_size,
// transparent_hugepage_adjust, fault_supports_stage2_huge_mapping, and the map walker.
import { describe, expect, it } from 'vitest';
import { G1, K4, M2, arm64Vm, counts, hx, pf } from './helpers.js';

const TiB = 2 ** 40;
const level = (vm: ReturnType<typeof arm64Vm>, gpa: number, size: number): string => {
  const r = pf(vm, gpa, size);
  if (r.ret !== 0) throw new Error(`${r.errno} ${r.reason}`);
  return r.iterations[0]!.level!;
};

describe('transparent_hugepage_adjust: a THP-backed hva maps PMD_SIZE', () => {
  it.each([
    ['4K', '2M', M2],
    ['16K', '32M', 32 * 2 ** 20],
    ['64K', '512M', 512 * 2 ** 20],
  ] as const)('%s granule: a %s THP gives a %s block', (granule, thp, bytes) => {
    const vm = arm64Vm({ host: { granule } }, [{ gpa: G1, size: G1, backing: { pageSize: thp } }]);
    const page = { '4K': K4, '16K': 0x4000, '64K': 0x10000 }[granule];
    expect(level(vm, G1 + bytes, page)).toBe(thp);
    expect(counts(vm)[thp]).toBe(1);
  });
  it('anonymous memory backed by host pages maps PAGE_SIZE: 4K, and 64K on a 64K host', () => {
    expect(level(arm64Vm({}, [{ gpa: G1, size: G1 }]), G1, K4)).toBe('4K');
    expect(level(arm64Vm({ host: { granule: '64K' } }, [{ gpa: G1, size: G1 }]), G1, 0x10000)).toBe('64K');
  });
  it('THP never yields PUD: a 1G-aligned THP slot still maps 2M', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '2M' } }]);
    expect(level(vm, G1, G1)).toBe('2M');
    expect(counts(vm)).toMatchObject({ '2M': 512, '1G': 0 });
  });
});

describe('kvm_s2_resolve_vma_size: hugetlb sizes', () => {
  it('PUD (1G, 4K granule) is kept when the slot supports it', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '1G', hugetlb: true } }]);
    expect(level(vm, G1 + 5 * K4, K4)).toBe('1G');
    expect(counts(vm)['1G']).toBe(1);
  });
  it('PUD falls to PMD when the 1G block is not congruent (fault_supports_stage2_huge_mapping)', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, hva: TiB + G1 + M2, backing: { pageSize: '1G', hugetlb: true } }]);
    expect(level(vm, G1 + M2, K4)).toBe('2M');
  });
  it('PUD falls to PMD when the 1G block is not inside the slot', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 / 2, backing: { pageSize: '1G', hugetlb: true } }]);
    expect(level(vm, G1, K4)).toBe('2M');
  });
  it('CONT_PMD is demoted to PMD: 32M hugetlb on 4K maps 2M, 1G hugetlb on 16K maps 32M', () => {
    expect(level(arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '32M', hugetlb: true } }]), G1, K4)).toBe('2M');
    expect(level(arm64Vm({ host: { granule: '16K' } }, [{ gpa: G1, size: G1, backing: { pageSize: '1G', hugetlb: true } }]), G1, 0x4000)).toBe('32M');
  });
  it('CONT_PTE is demoted to PAGE_SIZE with no THP upgrade: 64K hugetlb on 4K, 2M hugetlb on 64K', () => {
    expect(level(arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '64K', hugetlb: true } }]), G1, K4)).toBe('4K');
    expect(level(arm64Vm({ host: { granule: '64K' } }, [{ gpa: G1, size: G1, backing: { pageSize: '2M', hugetlb: true } }]), G1, 0x10000)).toBe(
      '64K',
    );
  });
  it('PMD hugetlb not supported by the slot falls through CONT_PTE to PAGE_SIZE', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, hva: TiB + G1 + K4, backing: { pageSize: '2M', hugetlb: true } }]);
    expect(level(vm, G1, K4)).toBe('4K');
  });
});

describe('memslot_is_logging: dirty logging caps the size at PAGE_SIZE and the leaf is not writable', () => {
  it('a THP slot with KVM_MEM_LOG_DIRTY_PAGES maps a read-only 4K page', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, flags: ['log_dirty_pages'], backing: { pageSize: '2M', writable: true } }]);
    const r = pf(vm, G1, K4);
    expect([r.iterations[0]!.level, r.mapped[0]!.writable, r.mapped[0]!.archBits.s2apW]).toEqual(['4K', false, false]);
  });
});

describe('fault_supports_stage2_huge_mapping: congruence and containment', () => {
  it('a slot whose hva is not congruent with its gpa modulo 2M maps 4K throughout', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, hva: TiB + G1 + K4, backing: { pageSize: '2M' } }]);
    expect(level(vm, G1 + M2, K4)).toBe('4K');
  });
  it('head and tail of a slot not aligned to 2M get 4K; the middle gets 2M', () => {
    const base = G1 + M2 / 2;
    const vm = arm64Vm({}, [{ gpa: base, size: 4 * M2, backing: { pageSize: '2M' } }]);
    expect([level(vm, base, K4), level(vm, G1 + M2, K4), level(vm, G1 + 4 * M2, K4)]).toEqual(['4K', '2M', '4K']);
  });
});

describe('kvm_pgtable_stage2_map: blocks the start level cannot hold, and tables turned into blocks', () => {
  it('a 1G mapping in a 2-level 4K stage-2 (IPA 32, start L2) is 512 2M blocks; the row reports 1G', () => {
    const vm = arm64Vm({ arm64: { ipaBits: 32 } }, [{ gpa: G1, size: G1, backing: { pageSize: '1G', hugetlb: true } }]);
    const r = pf(vm, G1, K4);
    expect([r.iterations[0]!.level, r.iterations[0]!.consumed, r.mapped.map((m) => [m.level, m.count])]).toEqual(['1G', '0x1000', [['2M', 512]]]);
    expect(counts(vm)).toMatchObject({ '2M': 512, '1G': 0, tables: 4 });
  });
  it('stage2_map_walk_table_pre: after logging stops, a THP fault replaces the 4K table by a 2M block', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, flags: ['log_dirty_pages'], backing: { pageSize: '2M' } }]);
    pf(vm, G1, K4);
    const tablesBefore = counts(vm).tables!;
    expect(counts(vm)['4K']).toBe(1);
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(G1), flags: [] });
    const r = pf(vm, G1 + K4, K4);
    expect([r.iterations[0]!.fsc, r.iterations[0]!.level]).toEqual(['TRANSLATION_L3', '2M']);
    expect(counts(vm)).toMatchObject({ '4K': 0, '2M': 1, tables: tablesBefore - 1 });
  });
});
