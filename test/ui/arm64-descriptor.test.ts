// The walk panel's decoding of an arm64 stage-2 descriptor (public/spte.js, vendor "arm64"),
// checked against the engine: every named bit of a leaf the arm64 engine installed agrees
// with the mapping row's archBits, and the output address with its host frame.
import { describe, expect, it } from 'vitest';
import { Arm64Vm } from '../../src/sim/index.js';

interface Field {
  name: string;
  value: number;
  set: boolean;
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

describe('an arm64 stage-2 descriptor in the walk panel', () => {
  it.each([
    ['4K', { fwb: true, cacheDic: false }, '0x200000', '0x200000'],
    ['64K', { fwb: false, cacheDic: true }, '0x20000000', '0x20000000'],
  ] as const)('decodes every bit of a %s-granule leaf as the engine set it', (granule, host, size, pageSize) => {
    const vm = new Arm64Vm({ name: 'd', host: { granule, ...host } });
    vm.setMemslot(0, 0, { guestPhysAddr: '0x0', size: '0x40000000', backing: { pageSize: granule === '4K' ? '2M' : '512M' } });
    vm.createVcpu({ id: 0 });
    expect(vm.preFault(0, { gpa: '0x0', size }).ret).toBe(0);
    const walk = vm.walk('s2-0', '0x0');
    const leaf = walk.steps.at(-1)!;
    expect(leaf.leaf).toBe(true);
    expect(leaf.mapping!.size).toBe(pageSize);
    const d = decodeSpte(leaf.spte, { vendor: 'arm64', leaf: true, level: leaf.level });
    const f = (name: string) => d.fields.find((x) => x.name === name)!;
    const bits = leaf.mapping!.archBits;
    expect(d.layout).toBe('s2');
    expect(d.mmio).toBe(false);
    expect([f('valid').set, f('type').set]).toEqual([true, false]); // a block
    expect(f('MemAttr').value).toBe(bits.memAttr);
    expect([f('S2AP R').set, f('S2AP W').set]).toEqual([bits.s2apR, bits.s2apW]);
    expect(f('SH').value).toBe(bits.sh);
    expect(f('AF').set).toBe(bits.af);
    expect(f('XN').set).toBe(bits.xn);
    const pageBytes = granule === '4K' ? 4096n : 65536n;
    expect(d.hpa).toBe(BigInt(leaf.mapping!.hostPfn) * pageBytes);
  });

  it('shows a table descriptor without the leaf-only attributes', () => {
    const vm = new Arm64Vm({ name: 't' });
    vm.setMemslot(0, 0, { guestPhysAddr: '0x0', size: '0x200000' });
    vm.createVcpu({ id: 0 });
    vm.preFault(0, { gpa: '0x0', size: '0x1000' });
    const table = vm.walk('s2-0', '0x0').steps[0]!;
    expect(table.leaf).toBe(false);
    const d = decodeSpte(table.spte, { vendor: 'arm64', leaf: false, level: table.level });
    expect(d.fields.map((x) => x.name)).toEqual(['valid', 'type']);
    expect(d.fields.map((x) => x.set)).toEqual([true, true]);
  });
});
