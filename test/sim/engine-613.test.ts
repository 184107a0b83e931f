// The 6.13 boundary (spte.c make_spte, mark_spte_for_access_track;
// tdp_mmu.c tdp_mmu_map_handle_target_level; commits 6385d01eec16, ea9fcdf76d3d,
// cc7ed3358e41 and the 6.13 A/D rework) and the SPTE state words (writable, accessed, dirty, ...).
import { describe, expect, it } from 'vitest';
import type { KernelVersion } from '../../src/sim/index.js';
import { MiB2, access, hx, makeVm, prefault, rows, trace } from './helpers.js';

const results = (r: ReturnType<typeof prefault>): string[] => r.iterations.map((i) => `${i.result} ${i.level}`);
const bit = (v: string, n: number): number => Number((BigInt(v) >> BigInt(n)) & 1n);

describe('pre-fault over a present leaf', () => {
  const twice = (kernel: KernelVersion) => {
    const vm = makeVm({ kernel }, [{ gpa: 0, size: MiB2 }]);
    prefault(vm, 0, 0x1000);
    return { vm, again: prefault(vm, 0, 0x1000) };
  };
  it('6.11-6.12: make_spte rebuilds it, skips D (old SPTE writable), so it differs: FIXED, D gone; a third is SPURIOUS', () => {
    for (const kernel of ['6.11', '6.12'] as const) {
      const { vm, again } = twice(kernel);
      expect(results(again), kernel).toEqual(['FIXED 4K']);
      expect(again.mapped, kernel).toEqual([expect.objectContaining({ gpa: '0x0', writable: true, dirty: false, accessed: false })]);
      expect(results(prefault(vm, 0, 0x1000)), kernel).toEqual(['SPURIOUS 4K']);
    }
  });
  it('6.13+: any present SPTE makes the prefetch SPURIOUS and nothing changes', () => {
    for (const kernel of ['6.13', '6.14', '6.15', '6.16', '6.17', '6.18'] as const) {
      const { vm, again } = twice(kernel);
      expect(results(again), kernel).toEqual(['SPURIOUS 4K']);
      expect(rows(vm)[0], kernel).toMatchObject({ writable: true, dirty: true, accessed: false });
    }
  });
  it('6.11-6.12: a pre-fault after a guest access clears A again (prefetch rebuild); 6.13+ keeps it', () => {
    for (const [kernel, accessed] of [
      ['6.12', false],
      ['6.13', true],
    ] as const) {
      const vm = makeVm({ kernel }, [{ gpa: 0, size: MiB2 }]);
      prefault(vm, 0, 0x1000);
      access(vm, 0, 'read');
      prefault(vm, 0, 0x1000);
      expect(rows(vm)[0]!.accessed, kernel).toBe(accessed);
    }
  });
});

describe('pre-fault of a huge page over a page-table pointer (a table left by a leaf zap)', () => {
  // sw_protected: making one 4K page private makes its 2M page mixed (4K faults build a
  // table there); making it shared again zaps only that 4K range, so the table stays.
  const setup = (kernel: KernelVersion) => {
    const vm = makeVm({ type: 'sw_protected', kernel }, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M' } }]);
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: true });
    prefault(vm, 0x1000, 0x1000); // shared, 4K (mixed 2M page)
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: false });
    const before = vm.roots()[0]!.counts;
    return { vm, before, r: prefault(vm, 0, MiB2) };
  };
  it('6.11-6.12 and 6.16+: the huge leaf replaces the table, whose subtree is freed', () => {
    for (const kernel of ['6.11', '6.12', '6.16', '6.18'] as const) {
      const { vm, before, r } = setup(kernel);
      expect(results(r), kernel).toEqual(['FIXED 2M']);
      expect(
        rows(vm).map((m) => `${m.gpa} ${m.level} x${m.count}`),
        kernel,
      ).toEqual(['0x0 2M x1']);
      const after = vm.roots()[0]!.counts;
      expect([after['4K'], after['2M'], before.tables - after.tables], kernel).toEqual([0, 1, 1]);
    }
  });
  it('6.13-6.15 (6385d01eec16, before ea9fcdf76d3d): SPURIOUS over the table, nothing installed', () => {
    for (const kernel of ['6.13', '6.14', '6.15'] as const) {
      const { vm, r } = setup(kernel);
      expect([results(r), r.mapped], kernel).toEqual([['SPURIOUS 2M'], []]);
      expect(
        rows(vm).map((m) => `${m.gpa} ${m.level}`),
        kernel,
      ).toEqual(['0x1000 4K']);
    }
  });
});

describe('EPT without A/D bits', () => {
  const vm = (kernel: KernelVersion) => makeVm({ kernel, host: { adBits: false } }, [{ gpa: 0, size: MiB2 }]);
  it('a pre-faulted SPTE is access-tracked: R/W/X clear, R and X saved, W not; writable false on every version', () => {
    for (const kernel of ['6.12', '6.13', '6.18'] as const) {
      const v = vm(kernel);
      const r = prefault(v, 0, 0x1000);
      expect(r.mapped[0], kernel).toMatchObject({ writable: false, accessed: false, executable: true });
      const leaf = v.walk(v.roots()[0]!.id, 0n).steps.at(-1)!.spte;
      // EPT R/W/X, saved R (54) and X (56), A/D-disabled marker (52), host-/MMU-writable (57, 58)
      expect(
        [0, 1, 2, 54, 56, 52, 57, 58].map((n) => bit(leaf, n)),
        kernel,
      ).toEqual([0, 0, 0, 1, 1, 1, 1, 1]);
    }
  });
  it('dirty: up to 6.12 is_dirty_spte falls back to W (clear while tracked); from 6.13 the D bit, written anyway', () => {
    for (const [kernel, d] of [
      ['6.11', 0],
      ['6.12', 0],
      ['6.13', 1],
      ['6.18', 1],
    ] as const) {
      const v = vm(kernel);
      expect(prefault(v, 0, 0x1000).mapped[0]!.dirty, kernel).toBe(d === 1);
      expect(bit(v.walk(v.roots()[0]!.id, 0n).steps.at(-1)!.spte, 9), kernel).toBe(d);
    }
  });
  it('a guest write restores the entry in fast_page_fault and gives W back (MMU-writable); 6.13+ sets A too', () => {
    for (const [kernel, a] of [
      ['6.12', 0],
      ['6.13', 1],
    ] as const) {
      const v = vm(kernel);
      prefault(v, 0, 0x1000);
      const r = access(v, 0, 'write');
      expect([r.ret, r.iterations.map((i) => i.result)], kernel).toEqual([0, ['FIXED']]);
      expect(rows(v)[0], kernel).toMatchObject({ writable: true, dirty: true, accessed: true });
      expect(bit(v.walk(v.roots()[0]!.id, 0n).steps.at(-1)!.spte, 8), kernel).toBe(a);
    }
  });
});

describe('the walk shows the whole SPTE, software bits included', () => {
  it('EPT with A/D: MMU-present (11), host-/MMU-writable (57, 58) on a writable leaf, not on a zero-page one', () => {
    const vm = makeVm({}, [
      { gpa: 0, size: MiB2 },
      { gpa: MiB2, size: MiB2, backing: { writable: false } },
    ]);
    prefault(vm, 0, 0x1000);
    prefault(vm, MiB2, 0x1000);
    const leaf = (gpa: number) => vm.walk(vm.roots()[0]!.id, BigInt(gpa)).steps.at(-1)!.spte;
    expect([11, 57, 58, 52].map((n) => bit(leaf(0), n))).toEqual([1, 1, 1, 0]);
    expect([11, 57, 58, 1].map((n) => bit(leaf(MiB2), n))).toEqual([1, 0, 0, 0]);
  });
  it('NPT: host-/MMU-writable at bits 9 and 10', () => {
    const vm = makeVm({ host: { vendor: 'amd' } }, [{ gpa: 0, size: MiB2 }]);
    prefault(vm, 0, 0x1000);
    const leaf = vm.walk(vm.roots()[0]!.id, 0n).steps.at(-1)!.spte;
    expect([0, 1, 9, 10, 11].map((n) => bit(leaf, n))).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('6.11-6.12: D with W is skipped over an EPT MMIO SPTE (bit 1 set), not over an NPT one', () => {
  it('a slot created over a cached MMIO SPTE: the first pre-fault maps it writable without D on Intel 6.12', () => {
    for (const [vendor, kernel, dirty] of [
      ['intel', '6.12', false],
      ['amd', '6.12', true],
      ['intel', '6.13', true],
    ] as const) {
      const vm = makeVm({ kernel, host: { vendor, ...(vendor === 'amd' ? {} : {}) } }, []);
      expect(prefault(vm, MiB2, 0x1000).mapped[0]!.kind).toBe('mmio');
      vm.apply({ op: 'set_memslot', addressSpace: 0, slot: 0, region: { guestPhysAddr: hx(MiB2), size: hx(MiB2) } });
      const r = prefault(vm, MiB2, 0x1000);
      expect([trace(r)[0]!.split(' ')[1], r.mapped[0]!.dirty], `${vendor} ${kernel}`).toEqual(['FIXED', dirty]);
    }
  });
});
