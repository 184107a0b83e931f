// The walk panel's decoding of an s390 DAT entry (public/spte.js, vendor "s390"), checked
// against the engine: every named bit of a leaf the s390 engine linked (a 4K PTE, a 1M
// segment and a 2G region-3 CRSTE) agrees with the mapping row's archBits, the origin with
// its host frame, and a table pointer shows FC = 0 and its table type.
import { describe, expect, it } from 'vitest';
import { hugeVm, pf, G2, M1 } from '../sim/s390/helpers.js';

interface Field {
  name: string;
  value: number;
  set: boolean;
  kind: string;
}
interface Decoded {
  layout: string;
  mmio: boolean;
  fields: Field[];
  hpa: bigint;
}
type DecodeSpte = (spte: string, where: { vendor: string; leaf: boolean; level: number }) => Decoded;

// public/ is plain browser JavaScript without type declarations: imported by a computed path.
const spteModule = '../../public/spte.js';
const { decodeSpte } = (await import(spteModule)) as { decodeSpte: DecodeSpte };

describe('an s390 DAT entry in the walk panel', () => {
  it.each([
    ['4K', '4K', 1, 0x1000, 0x1000],
    ['1M', '1M', 2, M1, M1],
    ['2G', '2G', 3, G2, G2],
  ] as const)('decodes every bit of a %s leaf as the engine linked it', (pageSize, level, tableLevel, size, bytes) => {
    const vm = hugeVm([{ gpa: G2, size: G2, backing: { pageSize, hugetlb: pageSize !== '4K', writable: pageSize !== '1M' } }]);
    expect(pf(vm, G2, size).ret).toBe(0);
    const walk = vm.walk(`0x${G2.toString(16)}`);
    const leaf = walk.steps.at(-1)!;
    expect([leaf.leaf, leaf.level, leaf.mapping!.level]).toEqual([true, tableLevel, level]);
    const d = decodeSpte(leaf.spte, { vendor: 's390', leaf: true, level: leaf.level });
    const f = (name: string) => d.fields.find((x) => x.name === name)!;
    const bits = leaf.mapping!.archBits;
    expect(d.layout).toBe('s390');
    for (const [name, key] of [
      ['I', 'i'],
      ['P', 'p'],
      ['IEP', 'iep'],
      ['PR', 'pr'],
      ['Y', 'y'],
      ['W', 'w'],
      ['D', 'd'],
      ['SD', 'sd'],
    ] as const)
      expect([name, f(name).set]).toEqual([name, bits[key]]);
    expect([f('P').set, f('Y').set, f('PR').set, f('I').set]).toEqual([true, true, true, false]); // §19.5: a read link
    expect(f('W').set).toBe(pageSize !== '1M');
    expect(f('W').kind).toBe('sw');
    if (tableLevel === 1) expect(d.fields.some((x) => x.name === 'FC')).toBe(false);
    else expect([f('FC').set, f('TT').value]).toEqual([true, tableLevel - 2]);
    expect(d.hpa).toBe(BigInt(leaf.mapping!.hostPfn) * 4096n);
    expect(d.hpa % BigInt(bytes)).toBe(0n);
  });

  it('shows a region/segment entry that points to a lower table: FC 0, valid, its table type', () => {
    const vm = hugeVm([{ gpa: 0, size: M1 }]);
    pf(vm, 0, 0x1000);
    const walk = vm.walk('0x0');
    const tables = walk.steps.filter((s) => !s.leaf);
    expect(tables.map((s) => s.level)).toEqual([3, 2]);
    for (const step of tables) {
      const d = decodeSpte(step.spte, { vendor: 's390', leaf: false, level: step.level });
      expect(d.fields.map((x) => [x.name, x.value])).toEqual([
        ['FC', 0],
        ['I', 0],
        ['TT', step.level - 2],
      ]);
    }
    // The page table's origin is where the segment entry points.
    const segment = decodeSpte(tables[1]!.spte, { vendor: 's390', leaf: false, level: 2 });
    expect(segment.hpa % 4096n).toBe(0n);
    expect(segment.hpa).toBeGreaterThan(0n);
  });
});
