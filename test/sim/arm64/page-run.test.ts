// The pre-fault's fast paths must answer exactly as one iteration at a time: the page run
// (consecutive page faults of a pageOnlyFaults slot done in one go) and the cached level-3
// table of kvm_pgtable_get_leaf / kvm_pgtable_stage2_map. A signal injected after more
// iterations than the range has turns the page run off without changing the answer, so each
// case runs twice and both VMs are compared whole.
import { describe, expect, it } from 'vitest';
import type { ArchPreFaultInject } from '../../../src/sim/arch-types.js';
import type { Granule } from '../../../src/sim/arm64/pgtable.js';
import type { Arm64Vm } from '../../../src/sim/arm64/vm.js';
import { G1, K4, M2, arm64Vm, counts, hx, pf, type Slot } from './helpers.js';

/** No signal within the range: the loop's answer is the same, but every iteration is one step. */
const ONE_BY_ONE: ArchPreFaultInject = { signalAfterIterations: 2 ** 40 };

interface Case {
  name: string;
  granule?: Granule;
  slots: Slot[];
  /** Run on both VMs before the calls: earlier faults and memslot updates. */
  setup?: (vm: Arm64Vm) => void;
  /** [gpa, size] pre-faults in order; the first ones may leave present leaves in the way. */
  calls: [number, number, ArchPreFaultInject?][];
}

const TiB = 2 ** 40;

const CASES: Case[] = [
  { name: 'anonymous 4K pages over two tables', slots: [{ gpa: G1, size: G1 }], calls: [[G1 + 3 * K4, 2 * M2]] },
  {
    name: 'present pages in the way (SPURIOUS) and a race',
    slots: [{ gpa: G1, size: G1 }],
    calls: [
      [G1 + 5 * K4, K4],
      [G1 + 9 * K4, 2 * K4],
      [G1, M2 + 8 * K4, { invalidationRaces: 2 }],
    ],
  },
  {
    name: 'two adjacent slots, a gap, ENOENT',
    slots: [
      { gpa: G1, size: M2 - 4 * K4 },
      { gpa: G1 + M2 - 4 * K4, size: 8 * K4, hva: 0x7000_0000_0000 },
    ],
    calls: [[G1, M2 + 64 * K4]],
  },
  { name: 'read-only backing: the zero page', slots: [{ gpa: G1, size: M2, backing: { writable: false } }], calls: [[G1, 40 * K4]] },
  {
    name: 'readonly slot and dirty logging',
    slots: [
      { gpa: G1, size: M2, flags: ['readonly'] },
      { gpa: G1 + M2, size: M2, flags: ['log_dirty_pages'] },
    ],
    calls: [[G1, 2 * M2]],
  },
  { name: 'hugetlb 64K (CONT_PTE): pages', slots: [{ gpa: G1, size: M2, backing: { pageSize: '64K', hugetlb: true } }], calls: [[G1, M2]] },
  {
    name: '2M THP next to 4K pages',
    slots: [
      { gpa: G1, size: M2, backing: { pageSize: '2M' } },
      { gpa: G1 + M2, size: M2 },
    ],
    calls: [[G1 + M2 - 8 * K4, 16 * K4]],
  },
  {
    name: '2M THP in a slot not 2M aligned: pages at both ends, a block between',
    slots: [{ gpa: G1 + M2 - 8 * K4, size: M2 + 16 * K4, backing: { pageSize: '2M' } }],
    calls: [[G1 + M2 - 8 * K4, M2 + 16 * K4]],
  },
  { name: 'hwpoison mid-range', slots: [{ gpa: G1, size: M2, backing: { hwpoison: [hx(G1 + 7 * K4)] } }], calls: [[G1, 16 * K4]] },
  // Slots whose huge-page backing yields pages (kvm_s2_resolve_vma_size, transparent_hugepage_adjust).
  {
    name: 'THP whose hva is not congruent with the gpa: pages',
    slots: [{ gpa: G1, size: 2 * M2, hva: TiB + G1 + K4, backing: { pageSize: '2M' } }],
    calls: [[G1, 2 * M2]],
  },
  {
    name: 'hugetlb 2M and 1G not congruent: pages',
    slots: [
      { gpa: G1, size: M2, hva: TiB + G1 + K4, backing: { pageSize: '2M', hugetlb: true } },
      { gpa: G1 + M2, size: M2, hva: 2 * TiB + K4, backing: { pageSize: '1G', hugetlb: true } },
    ],
    calls: [[G1, 2 * M2]],
  },
  {
    name: 'dirty logging on a THP slot: pages',
    slots: [{ gpa: G1, size: 2 * M2, flags: ['log_dirty_pages'], backing: { pageSize: '2M' } }],
    calls: [[G1, 2 * M2]],
  },
  {
    name: 'a THP block next to a level-3 table that logging left (stage2_map_walk_table_pre)',
    slots: [{ gpa: G1, size: 2 * M2, flags: ['log_dirty_pages'], backing: { pageSize: '2M' } }],
    setup: (vm) => {
      pf(vm, G1 + M2 + K4, K4);
      vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(2 * M2), flags: [] });
    },
    calls: [[G1, 2 * M2]],
  },
  { name: 'guest_memfd', slots: [{ gpa: G1, size: M2, flags: ['guest_memfd'], gmemOffset: 0 }], calls: [[G1, 32 * K4]] },
  { name: '64K granule over two tables', granule: '64K', slots: [{ gpa: G1, size: 2 * G1 }], calls: [[G1 + 0x10000, G1]] },
  {
    name: '16K granule with a present page',
    granule: '16K',
    slots: [{ gpa: G1, size: G1 }],
    calls: [
      [G1 + 0x8000, 0x4000],
      [G1, 4 * M2],
    ],
  },
];

const build = (c: Case): Arm64Vm => {
  const vm = arm64Vm(c.granule ? { host: { granule: c.granule } } : {}, c.slots);
  c.setup?.(vm);
  return vm;
};
const state = (vm: Arm64Vm) => ({ roots: vm.roots(), mappings: vm.mappings() });

describe('the page run answers as one iteration at a time (kvm_vcpu_pre_fault_memory, user_mem_abort)', () => {
  for (const c of CASES)
    it(c.name, () => {
      const fast = build(c);
      const slow = build(c);
      for (const [gpa, size, inject] of c.calls) {
        const a = pf(fast, gpa, size, inject);
        const b = pf(slow, gpa, size, { ...inject, ...ONE_BY_ONE });
        expect(a).toEqual(b);
      }
      expect(state(fast)).toEqual(state(slow));
      expect(fast.mappings().length).toBeGreaterThan(0);
    });
});

describe('the cached level-3 table (kvm_pgtable_get_leaf, kvm_pgtable_stage2_map)', () => {
  it('a zapped leaf (memslot deleted and re-created) faults again in the same, still linked table', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: M2 }]);
    pf(vm, G1, 4 * K4);
    const tables = counts(vm).tables!;
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: '0x0' });
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(M2) });
    const r = pf(vm, G1 + K4, 2 * K4);
    expect([r.iterations.map((i) => [i.result, i.fsc, i.count]), counts(vm)['4K'], counts(vm).tables]).toEqual([
      [['FIXED', 'TRANSLATION_L3', 2]],
      2,
      tables,
    ]);
  });

  it('a table replaced by a block (stage2_map_walk_table_pre) is not walked again: the next page gets a new table', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: M2 }]);
    pf(vm, G1, K4);
    const tables = counts(vm).tables!;
    // The same gpa backed by 2M THP: the 2M block replaces (and frees) the cached level-3 table.
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: '0x0' });
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(M2), backing: { pageSize: '2M' } });
    expect(pf(vm, G1, K4).iterations.map((i) => i.level)).toEqual(['2M']);
    expect(counts(vm).tables).toBe(tables - 1);
    // Back to 4K pages: the walk stops at the empty level-2 entry and a fresh table is linked.
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: '0x0' });
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(M2) });
    const r = pf(vm, G1 + K4, 2 * K4);
    expect(r.iterations.map((i) => [i.result, i.fsc, i.count])).toEqual([
      ['FIXED', 'TRANSLATION_L2', 1],
      ['FIXED', 'TRANSLATION_L3', 1],
    ]);
    expect([vm.mappings().map((m) => [m.gpa, m.level, m.count]), counts(vm)['4K'], counts(vm).tables]).toEqual([[[hx(G1 + K4), '4K', 2]], 2, tables]);
  });
});
