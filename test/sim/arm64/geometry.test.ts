// Stage-2 geometry from the IPA size (spec part 2 §18.10): kvm_get_vtcr, kvm_pgd_pages, and
// the walk's first-level index over concatenated tables.
import { describe, expect, it } from 'vitest';
import { kvmGetVtcr, type Granule } from '../../../src/sim/arm64/pgtable.js';
import { G1, M2, arm64Vm, counts, hx, pf } from './helpers.js';

describe('kvm_get_vtcr / kvm_pgd_pages: levels, start level, concatenated first-level tables', () => {
  const table: [Granule, number, number, number, number, string][] = [
    ['4K', 32, 2, 2, 4, '2M'],
    ['4K', 36, 3, 1, 1, '1G'],
    ['4K', 40, 3, 1, 2, '1G'],
    ['4K', 44, 4, 0, 1, '512G'],
    ['4K', 48, 4, 0, 1, '512G'],
    ['4K', 52, 4, 0, 16, '512G'],
    ['16K', 36, 2, 2, 1, '32M'],
    ['16K', 40, 2, 2, 16, '32M'],
    ['16K', 48, 3, 1, 2, '64G'],
    ['64K', 40, 2, 2, 1, '512M'],
    ['64K', 44, 2, 2, 4, '512M'],
    ['64K', 48, 3, 1, 1, '4T'],
    ['64K', 52, 3, 1, 1, '4T'],
  ];
  const bytes = (s: string): number => Number(s.slice(0, -1)) * { M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[s.slice(-1) as 'M' | 'G' | 'T'];
  it.each(table)('%s granule, IPA %i: %i levels from L%i, %i pgd pages of %s entries', (g, ipa, levels, start, pages, entry) => {
    const geo = kvmGetVtcr(g, ipa);
    expect([geo.levels, geo.startLevel, geo.concatenated, geo.levelFrames[geo.startLevel]! * 4096]).toEqual([levels, start, pages, bytes(entry)]);
  });
  it('level shifts (ARM64_HW_PGTABLE_LEVEL_SHIFT): 4K 39/30/21/12, 16K 47/36/25/14, 64K 55/42/29/16', () => {
    const shifts = (g: Granule): number[] => kvmGetVtcr(g, 40).levelFrames.map((f) => Math.log2(f) + 12);
    expect([shifts('4K'), shifts('16K'), shifts('64K')]).toEqual([
      [39, 30, 21, 12],
      [47, 36, 25, 14],
      [55, 42, 29, 16],
    ]);
  });
});

describe('kvm_init_stage2_mmu: the canonical pgd exists from VM creation', () => {
  it('a 4K/40-bit VM: 3 levels from L1 with 2 concatenated pages, counted as tables before any fault', () => {
    const vm = arm64Vm({ arm64: { ipaBits: 40 } }, [], []);
    const r = vm.roots()[0]!;
    expect([r.kind, r.level, r.startLevel, r.concatenatedTables, r.counts]).toEqual([
      's2-canonical',
      3,
      1,
      2,
      { '4K': 0, '2M': 0, '1G': 0, tables: 2 },
    ]);
  });
  it('counts keys are the granule leaf sizes: 16K has 16K and 32M, 64K has 64K and 512M', () => {
    expect(Object.keys(counts(arm64Vm({ host: { granule: '16K' } }, [], [])))).toEqual(['16K', '32M', 'tables']);
    expect(Object.keys(counts(arm64Vm({ host: { granule: '64K' } }, [], [])))).toEqual(['64K', '512M', 'tables']);
  });
});

describe('kvm_pgtable_get_leaf: the walk over concatenated first-level tables', () => {
  it('16K/40-bit: the first level indexes all 16 pages as one table, so a gpa at 512G-32M has index 16383', () => {
    const gpa = 2 ** 40 - 32 * 2 ** 20; // the last 32M block of the IPA space
    const vm = arm64Vm({ host: { granule: '16K' }, arm64: { ipaBits: 40 } }, [{ gpa, size: 32 * 2 ** 20 }]);
    expect(pf(vm, gpa, 0x4000).ret).toBe(0);
    const w = vm.walk('s2-0', hx(gpa));
    expect(w.steps.map((s) => [s.lookupLevel, s.index, s.leaf])).toEqual([
      [2, 16 * 2048 - 1, false],
      [3, 0, true],
    ]);
    expect(w.leafLevel).toBe('16K');
  });
  it('a walk reports the level where it stopped: the first fault of a 4K/48-bit VM is a translation fault at L0', () => {
    const vm = arm64Vm({ arm64: { ipaBits: 48 } }, [{ gpa: G1, size: G1 }]);
    const r = pf(vm, G1, 0x1000);
    const r2 = pf(vm, G1 + M2, 0x1000);
    expect([r.iterations[0]!.fsc, r2.iterations[0]!.fsc]).toEqual(['TRANSLATION_L0', 'TRANSLATION_L2']);
  });
});
