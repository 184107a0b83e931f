// GET …/walk and the mapping rows' words (contract v2 "Page tables"; spec part 2 §18.2 P3a):
// the walk descends like kvm_pgtable_get_leaf while entries are valid table descriptors and
// stops at the leaf or the first invalid entry; each step reports its level, its index and the
// gpa its entry covers. A leaf's state words and archBits decode the stage-2 descriptor
// (S2AP at bits 6–7, SH at 8–9, AF at 10, XN; stage2_set_prot_attr).
import { describe, expect, it } from 'vitest';
import { SimError } from '../../../src/sim/errors.js';
import { decodeLeaf, sizeName } from '../../../src/sim/arm64/inspect.js';
import { MEMATTR_SHIFT, PTE_AF, S2AP_R, S2AP_W, SH_SHIFT, SIM_XN } from '../../../src/sim/arm64/pgtable.js';
import { G1, K4, M2, arm64Vm, hx, pf } from './helpers.js';

/** A step without its descriptor and mapping: [level, lookupLevel, index, gpaBase, present, leaf]. */
const steps = (vm: ReturnType<typeof arm64Vm>, gpa: number | string) =>
  vm.walk('s2-0', typeof gpa === 'string' ? gpa : hx(gpa)).steps.map((s) => [s.level, s.lookupLevel, s.index, s.gpaBase, s.present, s.leaf]);

describe('kvm_pgtable_get_leaf as the walk shows it (4K granule, IPA 40: L1, L2, L3)', () => {
  it('a 2M block at L2 index 3: two steps, level = 4 - lookup level, each entry with the gpa it covers', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1, backing: { pageSize: '2M' } }]);
    expect(pf(vm, G1 + 3 * M2, K4).ret).toBe(0);
    const w = vm.walk('s2-0', hx(G1 + 3 * M2 + 5 * K4));
    expect(steps(vm, G1 + 3 * M2 + 5 * K4)).toEqual([
      [3, 1, 1, hx(G1), true, false],
      [2, 2, 3, hx(G1 + 3 * M2), true, true],
    ]);
    expect([w.steps[0]!.mapping, w.leafLevel, w.gpa]).toEqual([null, '2M', hx(G1 + 3 * M2 + 5 * K4)]);
    // The leaf step's mapping is that block's mapping row.
    expect(w.steps[1]!.mapping).toEqual(vm.mappings()[0]);
    expect([w.steps[1]!.mapping!.gpa, w.steps[1]!.mapping!.level, w.steps[1]!.mapping!.count]).toEqual([hx(G1 + 3 * M2), '2M', 1]);
  });

  it('a 4K page at L3 index 5: three steps down to the page', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    pf(vm, G1 + M2 + 5 * K4, K4);
    expect(steps(vm, G1 + M2 + 5 * K4)).toEqual([
      [3, 1, 1, hx(G1), true, false],
      [2, 2, 1, hx(G1 + M2), true, false],
      [1, 3, 5, hx(G1 + M2 + 5 * K4), true, true],
    ]);
    const w = vm.walk('s2-0', hx(G1 + M2 + 5 * K4));
    expect([w.leafLevel, w.steps[2]!.mapping!.gpa, w.steps[2]!.mapping!.level]).toEqual(['4K', hx(G1 + M2 + 5 * K4), '4K']);
  });

  it('an unmapped gpa: the walk stops at the first invalid entry, with no descriptor, no mapping, no leaf level', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    pf(vm, G1, K4);
    const w = vm.walk('s2-0', hx(G1 + 2 * M2));
    expect(steps(vm, G1 + 2 * M2)).toEqual([
      [3, 1, 1, hx(G1), true, false],
      [2, 2, 2, hx(G1 + 2 * M2), false, false],
    ]);
    expect([w.steps[1]!.spte, w.steps[1]!.mapping, w.leafLevel]).toEqual(['0x0', null, null]);
  });

  it('a gpa at or above 2^ipaBits has no entry to walk: no steps, no leaf level', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    const w = vm.walk('s2-0', hx(2 ** 40));
    expect([w.gpa, w.steps, w.leafLevel]).toEqual([hx(2 ** 40), [], null]);
  });

  it('a gpa that is not a u64 is a 400 naming gpa', () => {
    const vm = arm64Vm();
    let err: unknown;
    try {
      vm.walk('s2-0', 'not-a-number');
    } catch (e) {
      err = e;
    }
    expect(err instanceof SimError ? [err.code, err.field] : err).toEqual(['invalid', 'gpa']);
  });
});

describe('mapping-row words and archBits from the stage-2 descriptor bits', () => {
  const MEMATTR_FWB_NORMAL = 6 << MEMATTR_SHIFT;
  const INNER_SHAREABLE = 3 << SH_SHIFT;
  it.each([
    ['no bits', 0, { writable: false, executable: true, accessed: false }, { memAttr: 0, s2apR: false, s2apW: false, sh: 0, af: false, xn: false }],
    [
      'S2AP R',
      S2AP_R,
      { writable: false, executable: true, accessed: false },
      { memAttr: 0, s2apR: true, s2apW: false, sh: 0, af: false, xn: false },
    ],
    ['S2AP W', S2AP_W, { writable: true, executable: true, accessed: false }, { memAttr: 0, s2apR: false, s2apW: true, sh: 0, af: false, xn: false }],
    ['AF', PTE_AF, { writable: false, executable: true, accessed: true }, { memAttr: 0, s2apR: false, s2apW: false, sh: 0, af: true, xn: false }],
    ['XN', SIM_XN, { writable: false, executable: false, accessed: false }, { memAttr: 0, s2apR: false, s2apW: false, sh: 0, af: false, xn: true }],
    [
      'MemAttr 6, SH 3',
      MEMATTR_FWB_NORMAL | INNER_SHAREABLE,
      { writable: false, executable: true, accessed: false },
      { memAttr: 6, s2apR: false, s2apW: false, sh: 3, af: false, xn: false },
    ],
  ])('%s', (_what, flags, words, archBits) => {
    expect(decodeLeaf(flags)).toEqual({ ...words, dirty: null, archBits });
  });

  it('with ARM64_HAS_CACHE_DIC a pre-faulted leaf has XN clear in archBits too (kvm_s2_fault_compute_prot)', () => {
    const vm = arm64Vm({ host: { cacheDic: true } }, [{ gpa: G1, size: G1 }]);
    expect(pf(vm, G1, K4).mapped[0]!.archBits).toEqual({ memAttr: 6, s2apR: true, s2apW: true, sh: 3, af: true, xn: false });
  });
});

describe('level names: a mapping size in 4K frames has a name only if it is one of the contract level names', () => {
  it.each([
    [1, '4K'],
    [4, '16K'],
    [16, '64K'],
    [256, '1M'],
    [512, '2M'],
    [8192, '32M'],
    [131072, '512M'],
    [262144, '1G'],
    [524288, '2G'],
  ])('%i frames is %s', (frames, name) => {
    expect(sizeName(frames)).toBe(name);
  });
  // Sizes between names, and sizes whose low 32 bits alone would look like a name.
  it.each([0, 3, 5, 7, 513, 2 ** 31, 2 ** 32 + 512, -4])('%i frames has no name', (frames) => {
    expect(() => sizeName(frames)).toThrow(`no level name for ${frames} frames`);
  });
});
