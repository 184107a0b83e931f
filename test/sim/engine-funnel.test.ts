// One SPTE-change funnel with the kernel's tracepoints
// (tdp_mmu.c handle_changed_spte, tdp_mmu_split_huge_page; mmutrace.h), guest accesses
// that report every leaf they change, TDX zaps of the shared alias, and the legacy
// MMU's neighbour prefetch (mmu.c direct_pte_prefetch).
import { describe, expect, it } from 'vitest';
import type { KernelVersion, Operation, TracepointEvent, Vm } from '../../src/sim/index.js';
import { GiB, MiB2, access, hx, makeVm, prefault, rows, setSlot, trace } from './helpers.js';

const traced = (vm: Vm, op: Operation): TracepointEvent[] => {
  const sink: TracepointEvent[] = [];
  vm.apply(op, { trace: sink });
  return sink;
};
const pre = (gpa: number, size: number): Operation => ({ op: 'pre_fault', vcpuId: 0, gpa: hx(gpa), size: hx(size), flags: '0x0' });

/** Counts a root claims against a recount of its listing, and tables against the VM's bytes. */
function consistent(vm: Vm): void {
  let tables = 0;
  for (const root of vm.roots()) {
    const byLevel = { '4K': 0, '2M': 0, '1G': 0, mmio: 0 };
    for (const m of rows(vm, root.id)) {
      if (m.kind === 'mmio') byLevel.mmio += m.count;
      else byLevel[m.level] += m.count;
    }
    expect({ '4K': root.counts['4K'], '2M': root.counts['2M'], '1G': root.counts['1G'], mmio: root.counts.mmio }).toEqual(byLevel);
    tables += root.counts.tables;
  }
  expect(tables * 4096).toBe(vm.tableBytes());
}

describe('tracepoints from the fault path and the funnel', () => {
  it('a 4K pre-fault: spte_requested, one spte_changed per linked table and for the leaf, then set_spte', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2 }]);
    const ev = traced(vm, pre(0x3000, 0x1000));
    expect(ev.map((e) => `${e.name}${'level' in e ? ` ${e.level}` : ''}`)).toEqual([
      'kvm_mmu_spte_requested 1',
      'kvm_tdp_mmu_spte_changed 4',
      'kvm_tdp_mmu_spte_changed 3',
      'kvm_tdp_mmu_spte_changed 2',
      'kvm_tdp_mmu_spte_changed 1',
      'kvm_mmu_set_spte 1',
    ]);
    const leaf = ev[4] as Extract<TracepointEvent, { name: 'kvm_tdp_mmu_spte_changed' }>;
    expect([leaf.asId, leaf.gfn, leaf.oldSpte]).toEqual([0, '0x3', '0x0']);
    const set = ev[5] as Extract<TracepointEvent, { name: 'kvm_mmu_set_spte' }>;
    expect(set.spte).toBe(leaf.newSpte);
    expect(vm.walk(vm.roots()[0]!.id, 0x3000n).steps.at(-1)!.spte).toBe(set.spte);
    // No sink, no events and no cost: the same call untraced changes nothing else.
    expect(traced(vm, pre(0x3000, 0x1000)).map((e) => e.name)).toEqual(['kvm_mmu_spte_requested']);
  });
  it('an exec fault on an NX huge page traces the split (kvm_mmu_split_huge_page) and the huge->table change', () => {
    const vm = makeVm({ host: { nxHugePages: true } }, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M' } }]);
    prefault(vm, 0, MiB2);
    const ev = traced(vm, { op: 'access', vcpuId: 0, gpa: '0x5000', kind: 'exec' });
    const split = ev.find((e) => e.name === 'kvm_mmu_split_huge_page');
    expect(split).toMatchObject({ gfn: '0x0', level: 2, errno: 0 });
    expect(ev.filter((e) => e.name === 'kvm_tdp_mmu_spte_changed' && e.level === 2)).toHaveLength(1);
  });
  it('fast_page_fault is traced with its outcome (RET_PF_FIXED = 5) on EPT without A/D', () => {
    const vm = makeVm({ host: { adBits: false } }, [{ gpa: 0, size: MiB2 }]);
    prefault(vm, 0, 0x1000);
    const ev = traced(vm, pre(0, 0x1000));
    expect(ev.map((e) => e.name)).toEqual(['fast_page_fault']);
    expect(ev[0]).toMatchObject({ vcpuId: 0, cr2OrGpa: '0x0', ret: 5 });
  });
  it('a zap traces the leaf going (new value 0) and handle_removed_pt traces a freed table with FROZEN_SPTE', () => {
    const vm = makeVm({ type: 'sw_protected' }, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M' } }]);
    prefault(vm, 0, MiB2);
    const zap = traced(vm, { op: 'set_memory_attributes', address: '0x0', size: hx(MiB2), private: true });
    expect(zap).toEqual([expect.objectContaining({ name: 'kvm_tdp_mmu_spte_changed', gfn: '0x0', level: 2, newSpte: '0x0' })]);
    // 6.12: a huge leaf over a table frees it; its leaf is traced going to FROZEN_SPTE.
    const old = makeVm({ type: 'sw_protected', kernel: '6.12' }, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M' } }]);
    old.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: true });
    prefault(old, 0x1000, 0x1000);
    old.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: false });
    const ev = traced(old, pre(0, MiB2));
    expect(
      ev
        .filter((e) => e.name === 'kvm_tdp_mmu_spte_changed')
        .map((e) => `${e.level} ${e.gfn} ${e.name === 'kvm_tdp_mmu_spte_changed' ? e.newSpte : ''}`),
    ).toEqual([`2 0x0 ${(ev.find((e) => e.name === 'kvm_mmu_set_spte') as { spte: string }).spte}`, '1 0x1 0x5a0']);
    consistent(old);
  });
});

describe('page stats stay what the tables hold (handle_changed_spte is the only bookkeeper)', () => {
  it('after faults, splits, zaps, dirty logging on and off, and a huge leaf over a table', () => {
    for (const kernel of ['6.12', '6.18'] as const) {
      const vm = makeVm({ kernel, type: 'sw_protected', host: { nxHugePages: true } }, [{ gpa: 0, size: 4 * MiB2, backing: { pageSize: '2M' } }]);
      prefault(vm, 0, 4 * MiB2);
      consistent(vm);
      access(vm, 0x5000, 'exec');
      consistent(vm);
      vm.apply({ op: 'set_memory_attributes', address: hx(MiB2), size: '0x1000', private: true });
      prefault(vm, MiB2 + 0x1000, 0x3000);
      vm.apply({ op: 'set_memory_attributes', address: hx(MiB2), size: '0x1000', private: false });
      prefault(vm, MiB2, MiB2);
      consistent(vm);
      vm.apply({ op: 'set_memslot', addressSpace: 0, slot: 0, region: { guestPhysAddr: '0x0', size: hx(4 * MiB2), flags: ['log_dirty_pages'] } });
      consistent(vm);
      vm.apply({ op: 'set_memslot', addressSpace: 0, slot: 0, region: { guestPhysAddr: '0x0', size: hx(4 * MiB2) } });
      consistent(vm);
    }
  });
});

describe('a guest access reports every SPTE it installed or changed (item 3)', () => {
  it('an exec fault that splits an NX huge page lists all 512 new 4K children', () => {
    for (const kernel of ['6.12', '6.15', '6.16', '6.18'] as const) {
      const vm = makeVm({ kernel, host: { nxHugePages: true } }, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M' } }]);
      prefault(vm, 0, MiB2);
      const r = access(vm, 0x5000, 'exec');
      expect(
        r.mapped.every((m) => m.level === '4K' && m.executable),
        kernel,
      ).toBe(true);
      expect(
        r.mapped.reduce((n, m) => n + m.count, 0),
        kernel,
      ).toBe(512);
      expect(
        r.mapped.map((m) => m.gpa),
        kernel,
      ).toEqual(['0x0', '0x5000', '0x6000']);
      expect(r.mapped[1], kernel).toMatchObject({ count: 1, accessed: true });
    }
  });
});

describe('TDX: zaps reach the shared alias in the direct root (kvm_gfn_root_bits, item 4)', () => {
  const SHARED = 2 ** 47;
  const tdx = () => {
    const vm = makeVm({ type: 'tdx' }, [{ gpa: 0, size: 0x400000, flags: ['guest_memfd'], backing: { pageSize: '2M' } }]);
    vm.apply({ op: 'finalize' });
    expect(prefault(vm, 0, 0x1000).mapped[0]).toMatchObject({ gpa: hx(SHARED), private: false });
    return vm;
  };
  const direct = (vm: Vm) => vm.roots().find((r) => !r.mirror)!;
  it('an attribute change to private zaps the shared leaf at gfn | shared bit', () => {
    const vm = tdx();
    expect(direct(vm).counts['2M']).toBe(1);
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: true });
    expect(direct(vm).counts['2M']).toBe(0);
    expect(rows(vm, direct(vm).id)).toEqual([]);
  });
  it('deleting the memslot zaps it too', () => {
    const vm = tdx();
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 0 });
    expect(rows(vm, direct(vm).id)).toEqual([]);
  });
});

describe('legacy TDP MMU: direct_pte_prefetch after a 4K mapping (item 5)', () => {
  const legacy = (kernel: KernelVersion = '6.18', host: Record<string, unknown> = {}, slot: Record<string, unknown> = {}) =>
    makeVm({ kernel, host: { tdpMmu: false, ...host } }, [{ gpa: 0, size: MiB2, ...slot }]);
  const gpas = (r: { mapped: { gpa: string; count: number }[] }) => r.mapped.map((m) => `${m.gpa} x${m.count}`);
  it('maps the not-present rest of the 8-aligned group as prefetch leaves; later steps there are SPURIOUS (6.13+)', () => {
    const vm = legacy();
    const r = prefault(vm, 0x3000, 0x1000);
    expect(gpas(r)).toEqual(['0x0 x8']);
    expect(r.mapped[0]).toMatchObject({ accessed: false, writable: true, dirty: true });
    expect(trace(prefault(vm, 0, 0x9000))).toEqual(['0x0 SPURIOUS 4K 0x1000 x8', '0x8000 FIXED 4K 0x1000 x1']);
    expect(vm.roots()[0]!.counts['4K']).toBe(16);
  });
  it("one call's faults each report only their own prefetched group (the fault's list starts empty each time)", () => {
    const r = prefault(legacy(), 0, 0x10000);
    expect(trace(r)).toEqual(['0x0 FIXED 4K 0x1000 x1', '0x1000 SPURIOUS 4K 0x1000 x7', '0x8000 FIXED 4K 0x1000 x1', '0x9000 SPURIOUS 4K 0x1000 x7']);
    expect(gpas(r)).toEqual(['0x0 x16']);
  });
  it('stops at present entries and fills each not-present run of the group', () => {
    const vm = legacy();
    const tdp = makeVm({}, [{ gpa: 0, size: MiB2 }]);
    for (const v of [vm, tdp]) prefault(v, 0x5000, 0x1000);
    expect(tdp.roots()[0]!.counts['4K']).toBe(1); // the TDP MMU never prefetches
    expect(vm.roots()[0]!.counts['4K']).toBe(8);
  });
  it('not on a root without A/D bits, not for huge leaves, not in a read-only or dirty-logging slot, not over untouched memory', () => {
    expect(prefault(legacy('6.18', { adBits: false }), 0, 0x1000).mapped.reduce((n, m) => n + m.count, 0)).toBe(1);
    expect(prefault(legacy('6.18', {}, { backing: { pageSize: '2M' } }), 0, 0x1000).mapped.map((m) => m.level)).toEqual(['2M']);
    expect(gpas(prefault(legacy('6.18', {}, { flags: ['readonly'] }), 0, 0x1000))).toEqual(['0x0 x1']);
    expect(gpas(prefault(legacy('6.18', {}, { flags: ['log_dirty_pages'] }), 0, 0x1000))).toEqual(['0x0 x1']);
    expect(gpas(prefault(legacy('6.18', {}, { backing: { writable: false } }), 0, 0x1000))).toEqual(['0x0 x1']);
  });
  it('a group that crosses the end of the slot is not prefetched (kvm_prefetch_pages: entry < nr)', () => {
    const vm = makeVm({ host: { tdpMmu: false } }, [{ gpa: 0, size: 0x6000 }]);
    expect(gpas(prefault(vm, 0, 0x1000))).toEqual(['0x0 x1']);
    const vm2 = makeVm({ host: { tdpMmu: false } }, [{ gpa: GiB, size: MiB2 }]);
    expect(gpas(prefault(vm2, GiB + 0x2000, 0x1000))).toEqual([`${hx(GiB)} x8`]);
  });
  it('a group that ends exactly at the end of the slot is prefetched whole', () => {
    const vm = makeVm({ host: { tdpMmu: false } }, [{ gpa: 0, size: 0x8000 }]);
    expect(gpas(prefault(vm, 0, 0x1000))).toEqual(['0x0 x8']);
  });
  it('get_user_pages_fast_only stops before a poisoned host page', () => {
    const vm = legacy('6.18', {}, { backing: { pageSize: '4K', hwpoison: [hx(0x4000)] } });
    expect(gpas(prefault(vm, 0x1000, 0x1000))).toEqual(['0x0 x4']);
  });
  it('pins the pages a write already made the host writable (CoW broken), and stops at the first untouched one', () => {
    // 2M host pages 4K away from the gpa's 2M alignment: host page 0 holds gfns 0-510, so one write breaks CoW for all of them.
    const vm = legacy('6.18', {}, { backing: { pageSize: '2M', writable: false }, userspaceAddr: hx(0x7f0000001000) });
    expect(gpas(access(vm, 0x3000, 'write'))).toEqual(['0x0 x3', '0x3000 x1', '0x4000 x4']); // the faulting leaf is the one accessed
    const edge = legacy('6.18', {}, { backing: { pageSize: '2M', writable: false }, userspaceAddr: hx(0x7f0000001000 + 509 * 0x1000) });
    // Here host page 0 holds gfns 0-1 only: a write to gfn 1 makes both writable; gfn 2 starts an untouched host page.
    expect(gpas(access(edge, 0x1000, 'write'))).toEqual(['0x0 x1', '0x1000 x1']);
  });
  describe('a group that spans two slots: the run below the faulting slot is looked up on its own', () => {
    // Slot 1 starts at gfn 4, so the group of gfn 4 is gfns 0-7 and its first run, 0-3, lies below it.
    const twoSlots = (low: Record<string, unknown> | null) =>
      makeVm({ host: { tdpMmu: false } }, [
        ...(low ? [{ gpa: 0, size: 0x4000, slot: 0, ...low }] : []),
        { gpa: 0x4000, size: MiB2 - 0x4000, slot: 1 },
      ]);
    it('from a usable slot below, both runs are prefetched', () => {
      expect(gpas(prefault(twoSlots({}), 0x4000, 0x1000))).toEqual(['0x0 x8']);
    });
    it('no slot, a dirty-logging slot or unmapped memory below ends the whole prefetch (direct_pte_prefetch_many -> -1)', () => {
      for (const low of [null, { flags: ['log_dirty_pages'] }, { backing: { mapped: false } }]) {
        expect(gpas(prefault(twoSlots(low), 0x4000, 0x1000)), JSON.stringify(low)).toEqual(['0x4000 x1']);
      }
    });
  });
  it('a fault at the last entry of its group prefetches nothing after it, even where a slot continues below the table', () => {
    // The slot covers the 2M before the table too: a stray run "before entry 0" would find it.
    const vm = makeVm({ host: { tdpMmu: false } }, [{ gpa: GiB - MiB2, size: 2 * MiB2 }]);
    expect(gpas(prefault(vm, GiB + 7 * 0x1000, 0x1000))).toEqual([`${hx(GiB)} x8`]);
  });
  it('no page pinned at the start of a run (kvm_prefetch_pages returns 0) ends the whole prefetch too', () => {
    const vm = legacy('6.18', {}, { backing: { pageSize: '4K', hwpoison: [hx(0)] } });
    expect(gpas(prefault(vm, 0x2000, 0x1000))).toEqual(['0x2000 x1']);
  });
  it('each prefetched leaf is made from its own old entry: a writable neighbour before the run does not drop D (6.12 make_spte)', () => {
    // Dirty logging keeps the write at gfn 0 from prefetching; once it is off, a fault at gfn 3
    // prefetches gfns 1-2 and 4-7, whose old entries are not present, so 6.12 sets D on all.
    const vm = makeVm({ kernel: '6.12', host: { tdpMmu: false } }, [{ gpa: 0, size: MiB2, flags: ['log_dirty_pages'] }]);
    expect(gpas(access(vm, 0, 'write'))).toEqual(['0x0 x1']);
    expect(setSlot(vm, { gpa: 0, size: MiB2, flags: [] }, 0).ret).toBe(0);
    prefault(vm, 0x3000, 0x1000);
    expect(rows(vm).map((m) => [m.gpa, m.count, m.dirty])).toEqual([
      [hx(0), 1, true],
      [hx(0x1000), 7, true],
    ]);
  });
  it('a later fault in the group leaves the present entries alone and stops at the first run it cannot pin', () => {
    const vm = legacy('6.18', {}, { backing: { pageSize: '4K', hwpoison: [hx(0x4000)] } });
    prefault(vm, 0x1000, 0x1000); // gfns 0-3; gfn 4 is poisoned
    prefault(vm, 0x6000, 0x1000); // the run 4-5 pins nothing, so gfn 7 stays unmapped
    expect(rows(vm).map((m) => [m.gpa, m.count])).toEqual([
      [hx(0), 4],
      [hx(0x6000), 1],
    ]);
  });
});
