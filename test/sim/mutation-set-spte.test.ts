// Found by mutation testing of mmu/set-spte.ts (docs/engine.md, "Mutation testing"): the
// funnel's page stats for 1G leaves and for MMIO SPTEs that a leaf replaces, the sptep a
// kvm_mmu_set_spte event names, the gfn of a split that is not at a table's first entry,
// and the leaf a guest access restores through fast_page_fault on EPT without A/D bits.
import { describe, expect, it } from 'vitest';
import type { Operation, TracepointEvent, Vm } from '../../src/sim/index.js';
import { GiB, MiB2, access, hx, makeVm, prefault, rows } from './helpers.js';

const traced = (vm: Vm, op: Operation): TracepointEvent[] => {
  const sink: TracepointEvent[] = [];
  vm.apply(op, { trace: sink });
  return sink;
};
const counts = (vm: Vm) => {
  const { '4K': k4, '2M': m2, '1G': g1, mmio } = vm.roots()[0]!.counts;
  return { '4K': k4, '2M': m2, '1G': g1, mmio };
};

describe('page stats of the SPTE funnel (kvm_update_page_stats)', () => {
  it('1G leaves are counted as 1G, one per leaf', () => {
    const vm = makeVm({}, [{ gpa: 0, size: 4 * GiB, backing: { pageSize: '1G' } }]);
    prefault(vm, GiB, GiB);
    expect(counts(vm)).toEqual({ '4K': 0, '2M': 0, '1G': 1, mmio: 0 });
    prefault(vm, 2 * GiB, GiB);
    expect(counts(vm)).toEqual({ '4K': 0, '2M': 0, '1G': 2, mmio: 0 });
    expect(rows(vm).map((m) => `${m.gpa} ${m.level} x${m.count}`)).toEqual(['0x40000000 1G x2']);
  });

  it('an MMIO SPTE replaced by a leaf leaves the MMIO count', () => {
    const vm = makeVm({}, []);
    expect(prefault(vm, 0x5000, 0x1000).errno).toBe('ENOENT');
    expect(counts(vm)).toEqual({ '4K': 0, '2M': 0, '1G': 0, mmio: 1 });
    vm.apply({ op: 'set_memslot', addressSpace: 0, slot: 0, region: { guestPhysAddr: '0x0', size: hx(MiB2) } });
    expect(prefault(vm, 0x5000, 0x1000).ret).toBe(0);
    const live = vm.roots().filter((r) => r.counts.mmio + r.counts['4K'] > 0);
    expect(live.map((r) => r.counts.mmio)).toEqual(live.map(() => 0));
    expect(live.flatMap((r) => rows(vm, r.id)).map((m) => `${m.gpa} ${m.kind}`)).toEqual(['0x5000 ram']);
  });
});

describe('tracepoint fields the funnel computes', () => {
  it('kvm_mmu_set_spte names the entry it wrote: the leaf table frame (from the walk) + 8 x index', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2 }]);
    const set = traced(vm, { op: 'pre_fault', vcpuId: 0, gpa: '0x3000', size: '0x1000', flags: '0x0' }).find((e) => e.name === 'kvm_mmu_set_spte')!;
    // The level-2 entry on the way to gfn 3 points at the leaf table: its frame is bits 12+.
    const pde = BigInt(vm.walk(vm.roots()[0]!.id, 0x3000n).steps.find((s) => s.level === 2)!.spte);
    const frame = pde & (((1n << 40n) - 1n) << 12n);
    expect(set).toMatchObject({ gfn: '0x3', level: 1, sptep: hx(frame + 3n * 8n) });
  });

  it('kvm_mmu_split_huge_page names the huge page split, here the second 2M page of its table', () => {
    const vm = makeVm({ host: { nxHugePages: true } }, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M' } }]);
    prefault(vm, MiB2, MiB2);
    const ev = traced(vm, { op: 'access', vcpuId: 0, gpa: hx(MiB2 + 0x5000), kind: 'exec' });
    expect(ev.find((e) => e.name === 'kvm_mmu_split_huge_page')).toMatchObject({ gfn: '0x200', level: 2 });
  });
});

describe('a guest access over an access-tracked leaf (fast_page_fault, EPT without A/D)', () => {
  it('reports the leaf it restored, now accessed', () => {
    const vm = makeVm({ host: { adBits: false } }, [{ gpa: 0, size: MiB2, backing: { writable: true } }]);
    prefault(vm, 0x5000, 0x1000);
    expect(rows(vm)[0]).toMatchObject({ gpa: '0x5000', accessed: false });
    const r = access(vm, 0x5000, 'read');
    expect(r.ret).toBe(0);
    expect(r.mapped.map((m) => `${m.gpa} ${m.level} a=${m.accessed}`)).toEqual(['0x5000 4K a=true']);
  });
});
