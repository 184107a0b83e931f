// The gmap's geometry (spec part 2 §19.6): gmap_new / gmap_limit_to_type, and the DAT walk.
import { describe, expect, it } from 'vitest';
import { G2, K4, M1, hx, pf, s390Vm } from './helpers.js';

describe('gmap_limit_to_type: the ASCE type follows mem_limit', () => {
  it.each([
    ['0x100000', 'segment', 2],
    ['0x80000000', 'segment', 2],
    ['0x80001000', 'region3', 3],
    ['0x40000000000', 'region3', 3],
    ['0x40000001000', 'region2', 4],
    ['0x20000000000000', 'region2', 4],
    ['0x20000000001000', 'region1', 5],
  ])('memLimit %s: %s table root, %i levels', (memLimit, asce, levels) => {
    const vm = s390Vm({ host: { maxStorage: '0xffffffffffff0000' }, s390: { memLimit } }, [], []);
    const r = vm.roots()[0]!;
    expect([r.kind, r.asceType, r.level, r.counts]).toEqual(['gmap', asce, levels, { '4K': 0, '1M': 0, '2G': 0, tables: 1 }]);
  });
  it('the default memLimit is host.maxStorage (4T): region-3', () => {
    expect(s390Vm().roots()[0]!.asceType).toBe('region3');
  });
  it('a UCONTROL VM has no gmap root and its vCPUs load none', () => {
    const vm = s390Vm({ type: 'ucontrol' });
    expect([vm.roots(), vm.state.vcpus.size, vm.createVcpu(1).loadedRoot]).toEqual([[], 1, null]);
  });
});

describe('dat_entry_walk: region-3 -> segment -> page table, 2048 / 2048 / 256 entries', () => {
  it('the walk of a mapped 4K page names each table and its index', () => {
    const gpa = 3 * G2 + 5 * M1 + 7 * K4;
    const vm = s390Vm({}, [{ gpa: 3 * G2, size: G2 }]);
    pf(vm, gpa, K4);
    const w = vm.walk(hx(gpa));
    expect(w.steps.map((s) => [s.table, s.level, s.index, s.leaf])).toEqual([
      ['region3', 3, 3, false],
      ['segment', 2, 5, false],
      ['page', 1, 7, true],
    ]);
    expect(w.leafLevel).toBe('4K');
    expect([w.steps[0]!.mapping, w.steps[2]!.mapping]).toEqual([null, vm.mappings()[0]]);
    expect(vm.roots()[0]!.counts).toEqual({ '4K': 1, '1M': 0, '2G': 0, tables: 3 });
  });
});

describe('union pte / union crste (dat.h): the raw entry of a walk', () => {
  it('a read-linked PTE: origin | P 0x200 | w 0x20 | y 0x04 | pr 0x01; a segment leaf: FC | P | w 0x8000 | y 0x1000 | pr', () => {
    const vm = s390Vm({ host: { hpage: true }, s390: { hpage1m: true } }, [
      { gpa: 0, size: M1 },
      { gpa: G2, size: G2, backing: { pageSize: '1M' } },
    ]);
    pf(vm, K4, K4);
    pf(vm, G2, K4);
    const leaf = (gpa: number): bigint => BigInt(vm.walk(hx(gpa)).steps.at(-1)!.spte);
    expect(leaf(K4)).toBe((2n ** 40n + BigInt(K4)) | 0x200n | 0x20n | 0x4n | 0x1n);
    expect(leaf(G2)).toBe((2n ** 40n + BigInt(G2)) | 0x400n | 0x200n | 0x8000n | 0x1000n | 0x1n);
  });
});

describe('the VM view (contract v2): the s390 object, guestPhysBits and preFaultAllowed', () => {
  it('the default VM: region-3 reaching 42 bits; a UCONTROL VM has asceType null and no pre-fault', () => {
    const vm = s390Vm();
    expect([vm.archView(), vm.guestPhysBits, vm.preFaultAllowed]).toEqual([
      { hpage1m: false, hpage2g: false, memLimit: '0x40000000000', asceType: 'region3' },
      42,
      true,
    ]);
    const uc = s390Vm({ type: 'ucontrol' });
    expect([uc.archView().asceType, uc.preFaultAllowed, s390Vm({ kernel: '7.1' }).preFaultAllowed]).toEqual([null, false, false]);
  });
});
