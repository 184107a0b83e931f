// The stage-2 table itself after faults and memslot changes (hyp/pgtable.c): the concatenated
// first level (kvm_pgd_pages), walks that reach a table other than the last one used
// (kvm_pgtable_get_leaf), tables linked under a new block's neighbour (kvm_pgtable_stage2_map),
// a table replaced by a block with everything under it (stage2_map_walk_table_pre), and unmap /
// write-protect over exactly a memslot's range (kvm_pgtable_stage2_unmap, _wrprotect), read
// back through the roots' counts, the mapping rows and the walk.
import { describe, expect, it } from 'vitest';
import { G1, K4, M2, arm64Vm, counts, hx, pf } from './helpers.js';

const rowsOf = (vm: ReturnType<typeof arm64Vm>) => vm.mappings().map((m) => [m.gpa, m.level, m.count, m.writable]);

describe('kvm_pgd_pages: the concatenated first-level tables are one table', () => {
  it('IPA 40 on 4K starts at level 1 with 2 pages: a gpa in the second one maps and walks', () => {
    const vm = arm64Vm({ arm64: { ipaBits: 40 } }, [{ gpa: 2 ** 39 + G1, size: M2 }]);
    expect(vm.archView()).toMatchObject({ startLevel: 1, concatenatedTables: 2 });
    expect(pf(vm, 2 ** 39 + G1, K4).ret).toBe(0);
    expect(rowsOf(vm)).toEqual([[hx(2 ** 39 + G1), '4K', 1, true]]);
    const w = vm.walk('s2-0', hx(2 ** 39 + G1));
    expect([w.steps.map((s) => [s.lookupLevel, s.index, s.present]), w.leafLevel]).toEqual([
      [
        [1, 513, true],
        [2, 0, true],
        [3, 0, true],
      ],
      '4K',
    ]);
  });
});

describe('kvm_pgtable_get_leaf / kvm_pgtable_stage2_map: every fault reaches the table of its own gpa', () => {
  it('back to an earlier level-3 table, and down to a lower one: one table per 2M region', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    const tables = counts(vm).tables!;
    const fsc = (gpa: number) => pf(vm, gpa, K4).iterations.map((i) => i.fsc);
    // A new 1G region (level-1 walk stop), its next 2M region (level 2), back to the first
    // region's table (level 3), then a region below the last one used (level 2).
    expect([fsc(G1 + 4 * M2), fsc(G1 + 5 * M2), fsc(G1 + 4 * M2 + K4), fsc(G1 + 3 * M2)]).toEqual([
      ['TRANSLATION_L1'],
      ['TRANSLATION_L2'],
      ['TRANSLATION_L3'],
      ['TRANSLATION_L2'],
    ]);
    expect(counts(vm)).toMatchObject({ '4K': 4, '2M': 0, tables: tables + 4 });
    expect(rowsOf(vm)).toEqual([
      [hx(G1 + 3 * M2), '4K', 1, true],
      [hx(G1 + 4 * M2), '4K', 2, true],
      [hx(G1 + 5 * M2), '4K', 1, true],
    ]);
  });

  it('a page next to a 2M block whose fault linked the level-2 table gets its own level-3 table', () => {
    const vm = arm64Vm({}, [
      { gpa: G1, size: M2 },
      { gpa: G1 + M2, size: M2, hva: 0x7000_0000_0000 + M2, backing: { pageSize: '2M' } },
    ]);
    const tables = counts(vm).tables!;
    expect(pf(vm, G1 + M2, K4).iterations[0]!.level).toBe('2M');
    expect(pf(vm, G1, K4).iterations.map((i) => [i.level, i.fsc])).toEqual([['4K', 'TRANSLATION_L2']]);
    expect(counts(vm)).toMatchObject({ '4K': 1, '2M': 1, tables: tables + 2 });
    expect(rowsOf(vm)).toEqual([
      [hx(G1), '4K', 1, true],
      [hx(G1 + M2), '2M', 1, true],
    ]);
  });

  it('a 1G mapping in a stage-2 starting at level 2 is 512 blocks in the table, contiguous in gpa and pa', () => {
    const vm = arm64Vm({ arm64: { ipaBits: 32 } }, [{ gpa: G1, size: G1, backing: { pageSize: '1G', hugetlb: true } }]);
    const r = pf(vm, G1, K4);
    expect(vm.mappings().map((m) => [m.gpa, m.level, m.count, m.hostPfn])).toEqual([[hx(G1), '2M', 512, r.mapped[0]!.hostPfn]]);
    expect(vm.mappings()).toEqual(r.mapped);
  });
});

describe('stage2_map_walk_table_pre: a block replaces a table and everything under it', () => {
  it('a 1G hugetlb fault over a level-2 table with two level-3 tables frees all three', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    const pgdOnly = [counts(vm).tables, vm.tableBytes()];
    pf(vm, G1, 2 * K4);
    pf(vm, G1 + M2, K4);
    expect(counts(vm)).toMatchObject({ '4K': 3, tables: pgdOnly[0]! + 3 });
    // Deleting the slot unmaps its leaves; the tables stay (kvm_pgtable_stage2_unmap).
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: '0x0' });
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(G1), backing: { pageSize: '1G', hugetlb: true } });
    expect(counts(vm)).toMatchObject({ '4K': 0, tables: pgdOnly[0]! + 3 });
    expect(pf(vm, G1 + K4, K4).iterations.map((i) => [i.level, i.fsc])).toEqual([['1G', 'TRANSLATION_L3']]);
    expect([counts(vm), vm.tableBytes()]).toEqual([{ '4K': 0, '2M': 0, '1G': 1, tables: pgdOnly[0] }, pgdOnly[1]]);
  });
});

describe('kvm_pgtable_stage2_unmap / _wrprotect cover exactly the memslot', () => {
  const twoSlots = () => {
    const vm = arm64Vm({}, [
      { gpa: G1, size: 2 * K4 },
      { gpa: G1 + 2 * K4, size: 2 * K4, hva: 0x7000_0000_0000 },
    ]);
    expect(pf(vm, G1, 4 * K4).ret).toBe(0);
    return vm;
  };
  it("deleting the upper slot keeps the lower one's pages in the same table", () => {
    const vm = twoSlots();
    vm.setMemslot(0, 1, { guestPhysAddr: hx(G1 + 2 * K4), size: '0x0' });
    expect([rowsOf(vm), counts(vm)['4K']]).toEqual([[[hx(G1), '4K', 2, true]], 2]);
  });
  it("deleting the lower slot keeps the upper one's pages, the first of them at its end", () => {
    const vm = twoSlots();
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: '0x0' });
    expect([rowsOf(vm), counts(vm)['4K']]).toEqual([[[hx(G1 + 2 * K4), '4K', 2, true]], 2]);
  });
  it('blocks: logging on write-protects them and keeps their count, deleting the slot removes them', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: 2 * M2, backing: { pageSize: '2M' } }]);
    pf(vm, G1, 2 * M2);
    expect([rowsOf(vm), counts(vm)['2M']]).toEqual([[[hx(G1), '2M', 2, true]], 2]);
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(2 * M2), flags: ['log_dirty_pages'] });
    expect([rowsOf(vm), counts(vm)['2M']]).toEqual([[[hx(G1), '2M', 2, false]], 2]);
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: '0x0' });
    expect([vm.mappings(), counts(vm)['2M']]).toEqual([[], 0]);
  });
});
