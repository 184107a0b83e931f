// Which tables become huge leaves again when dirty logging stops on the TDP MMU, 6.13+
// (tdp_mmu.c:kvm_tdp_mmu_recover_huge_pages -> recover_huge_pages_range): every table at 2M
// or 1G that kvm_mmu_max_mapping_level allows at that level, built by make_huge_spte from
// the first present leaf under it (tdp_mmu_make_huge_spte); a table with no leaf stays.
import { describe, expect, it } from 'vitest';
import type { Vm } from '../../src/sim/index.js';
import { GiB, MiB2, hx, makeVm, prefault, rows, setSlot, type SlotSpec } from './helpers.js';

const HVA = 2 ** 40;
const K4 = 0x1000;

/** Turn dirty logging on or off on slot `id` (set_memslot with the same region, other flags). */
function logging(vm: Vm, spec: SlotSpec, id: number, on: boolean): void {
  expect(setSlot(vm, { ...spec, flags: on ? ['log_dirty_pages'] : [] }, id).ret).toBe(0);
}
const shape = (vm: Vm, root?: string): string[] => rows(vm, root).map((m) => `${m.gpa} ${m.level} x${m.count}`);

describe('logging off: which entries recover_huge_pages_range rebuilds', () => {
  it('a table whose first leaf is not its first entry: make_huge_spte aligns the pfn down to the huge page', () => {
    const slot: SlotSpec = { gpa: 0, size: 2 * MiB2, userspaceAddr: hx(HVA), backing: { pageSize: '2M' }, flags: ['log_dirty_pages'] };
    const vm = makeVm({}, [slot]);
    prefault(vm, 5 * K4, 3 * K4);
    expect(shape(vm)).toEqual([`${hx(5 * K4)} 4K x3`]);
    logging(vm, slot, 0, false);
    const [leaf] = rows(vm);
    expect([leaf!.gpa, leaf!.level, leaf!.hostPfn]).toEqual(['0x0', '2M', hx(HVA / K4)]);
  });

  it('a huge leaf, a table and an unmapped entry side by side: only the table is rebuilt', () => {
    const slot: SlotSpec = { gpa: 0, size: 3 * MiB2, userspaceAddr: hx(HVA), backing: { pageSize: '2M' } };
    const vm = makeVm({ host: { eagerPageSplit: false } }, [slot]);
    prefault(vm, 0, MiB2);
    logging(vm, slot, 0, true);
    prefault(vm, MiB2, 2 * K4);
    expect(shape(vm)).toEqual(['0x0 2M x1', `${hx(MiB2)} 4K x2`]);
    logging(vm, slot, 0, false);
    // The 2M leaf keeps the write protection logging gave it; the rebuilt one takes the bits
    // of its first 4K leaf (writable: a pre-fault under logging maps 4K leaves writable and
    // marks them dirty, make_spte); the third 2M page stays unmapped.
    expect(rows(vm).map((m) => `${m.gpa} ${m.level} x${m.count} w=${m.writable}`)).toEqual(['0x0 2M x1 w=false', `${hx(MiB2)} 2M x1 w=true`]);
  });

  it('with a 1G backing the walk meets the 1G table first and rebuilds a 1G leaf from the first leaf below its tables', () => {
    const slot: SlotSpec = { gpa: GiB, size: GiB, userspaceAddr: hx(HVA), backing: { pageSize: '1G' }, flags: ['log_dirty_pages'] };
    const vm = makeVm({ host: { maxHugePageLevel: '1G' } }, [slot]);
    prefault(vm, GiB + MiB2, 2 * K4);
    logging(vm, slot, 0, false);
    expect(rows(vm).map((m) => `${m.gpa} ${m.level} x${m.count} ${m.hostPfn} w=${m.writable}`)).toEqual([`${hx(GiB)} 1G x1 ${hx(HVA / K4)} w=true`]);
  });

  it('the 1G leaf replaces its whole subtree: the tables left are those of a 1G leaf mapped directly (handle_removed_pt)', () => {
    const slot: SlotSpec = { gpa: GiB, size: GiB, userspaceAddr: hx(HVA), backing: { pageSize: '1G' }, flags: ['log_dirty_pages'] };
    const vm = makeVm({ host: { maxHugePageLevel: '1G' } }, [slot]);
    prefault(vm, GiB, 2 * MiB2 + K4); // 4K leaves in three 4K tables under one 2M table
    logging(vm, slot, 0, false);
    const direct = makeVm({ host: { maxHugePageLevel: '1G' } }, [{ ...slot, flags: [] }]);
    prefault(direct, GiB, K4);
    expect(vm.tableBytes()).toBe(direct.tableBytes());
  });

  /** A sw_protected VM's 2 GiB slot under logging, 4K leaves at `gpas`, then the leaves under [zapFrom, +2M) zapped by a round trip to PRIVATE. */
  function emptiedTable(backing: '2M' | '1G', gpas: number[], zapFrom: number) {
    const slot: SlotSpec = { gpa: 0, size: 2 * GiB, userspaceAddr: hx(HVA), backing: { pageSize: backing }, flags: ['log_dirty_pages'] };
    const vm = makeVm({ type: 'sw_protected', host: { maxHugePageLevel: '1G' } }, [slot]);
    for (const gpa of gpas) expect(prefault(vm, gpa, K4).ret).toBe(0);
    // kvm_vm_set_mem_attributes zaps the leaves both ways (kvm_unmap_gfn_range); the tables stay.
    for (const isPrivate of [true, false])
      expect(vm.apply({ op: 'set_memory_attributes', address: hx(zapFrom), size: hx(MiB2), private: isPrivate })).toMatchObject({ ret: 0 });
    return { vm, slot };
  }

  it('a table with no leaf left stays a table (tdp_mmu_make_huge_spte finds no leaf: -ENOENT)', () => {
    const { vm, slot } = emptiedTable('2M', [MiB2], MiB2);
    const tables = vm.roots()[0]!.counts.tables;
    logging(vm, slot, 0, false);
    expect(rows(vm)).toEqual([]);
    expect(vm.roots()[0]!.counts.tables).toBe(tables);
  });

  it('the first leaf is searched past an empty table to the next one', () => {
    const { vm, slot } = emptiedTable('1G', [0, MiB2], 0);
    logging(vm, slot, 0, false);
    expect(rows(vm).map((m) => `${m.gpa} ${m.level} ${m.hostPfn}`)).toEqual([`0x0 1G ${hx(HVA / K4)}`]);
  });

  it('kvm_mmu_max_mapping_level decides: a 4K backing, or a 2M page past the slot end, keeps its 4K leaves', () => {
    const backed4k: SlotSpec = { gpa: 0, size: 2 * MiB2, userspaceAddr: hx(HVA), flags: ['log_dirty_pages'] };
    const vm = makeVm({}, [backed4k]);
    prefault(vm, 0, 2 * K4);
    logging(vm, backed4k, 0, false);
    expect(shape(vm)).toEqual(['0x0 4K x2']);

    // 3 MiB: the second 2M page crosses the slot's end (disallow_lpage of its tail).
    const tail: SlotSpec = { gpa: 0, size: 3 * (MiB2 / 2), userspaceAddr: hx(HVA), backing: { pageSize: '2M' }, flags: ['log_dirty_pages'] };
    const vm2 = makeVm({}, [tail]);
    prefault(vm2, 0, K4);
    prefault(vm2, MiB2, K4);
    logging(vm2, tail, 0, false);
    expect(shape(vm2)).toEqual(['0x0 2M x1', `${hx(MiB2)} 4K x1`]);
  });
});

describe('the legacy MMU (kvm_rmap_zap_collapsible_sptes): only the present 4K and 2M leaves on the rmaps', () => {
  it('a stale MMIO SPTE is on no rmap: it stays when logging stops', () => {
    const vm = makeVm({ host: { tdpMmu: false } }, []);
    expect(prefault(vm, K4, K4).errno).toBe('ENOENT');
    const slot: SlotSpec = { gpa: 0, size: MiB2, userspaceAddr: hx(HVA), backing: { pageSize: '2M' }, flags: ['log_dirty_pages'] };
    logging(vm, slot, 0, true);
    logging(vm, slot, 0, false);
    expect(rows(vm).map((m) => `${m.gpa} ${m.kind}`)).toEqual([`${hx(K4)} mmio`]);
  });
});

describe("a TD's shared slots (the direct root, gfns aliased by kvm_gfn_root_bits)", () => {
  const SHARED = 2 ** 47; // the shared bit of a GPAW-48 TD
  const low: SlotSpec = { gpa: 0, size: 3 * (MiB2 / 2), userspaceAddr: hx(HVA), backing: { pageSize: '2M' }, flags: ['log_dirty_pages'] };
  const high: SlotSpec = { gpa: 4 * MiB2, size: MiB2, userspaceAddr: hx(HVA + 4 * MiB2), backing: { pageSize: '2M' }, flags: ['log_dirty_pages'] };
  function td(): { vm: Vm; direct: string } {
    const vm = makeVm({ type: 'tdx' }, [low, high]);
    vm.apply({ op: 'finalize' });
    prefault(vm, 0, K4);
    prefault(vm, MiB2, K4);
    prefault(vm, 4 * MiB2, K4);
    return { vm, direct: vm.roots().find((r) => !r.mirror)!.id };
  }

  it("logging off on one slot rebuilds only that slot's tables; a 2M page past a slot's end stays 4K", () => {
    const { vm, direct } = td();
    logging(vm, high, 1, false);
    expect(shape(vm, direct)).toEqual([`${hx(SHARED)} 4K x1`, `${hx(SHARED + MiB2)} 4K x1`, `${hx(SHARED + 4 * MiB2)} 2M x1`]);
    logging(vm, low, 0, false);
    expect(shape(vm, direct)).toEqual([`${hx(SHARED)} 2M x1`, `${hx(SHARED + MiB2)} 4K x1`, `${hx(SHARED + 4 * MiB2)} 2M x1`]);
  });

  it("logging on write-protects only that slot's leaves (wrprot_gfn_range over the aliased range)", () => {
    const unlogged = { ...low, flags: [] };
    const vm = makeVm({ type: 'tdx' }, [unlogged, { ...high, flags: [] }]);
    vm.apply({ op: 'finalize' });
    prefault(vm, 0, K4);
    prefault(vm, 4 * MiB2, K4);
    const direct = vm.roots().find((r) => !r.mirror)!.id;
    logging(vm, high, 1, true);
    expect(rows(vm, direct).map((m) => `${m.gpa} w=${m.writable}`)).toEqual([`${hx(SHARED)} w=true`, `${hx(SHARED + 4 * MiB2)} w=false`]);
  });
});
