// The raw gmap entries (spec part 2 §19.5; dat.h at 31e949d15102: union pte, union crste,
// _PTE_EMPTY, _CRSTE_EMPTY(tt)) and the state words the contract derives from them. s390
// bitfields run MSB first, so bit n of the 64-bit word is the value 2^(63 - n).
import { describe, expect, it } from 'vitest';
import { E_D, E_FC, E_I, E_IEP, E_P, E_PR, E_S, E_SD, E_TABLE, E_W, E_Y, isLeafEntry, makeEntry, s390EntryValue } from '../../../src/sim/s390/dat.js';
import { decodeEntry } from '../../../src/sim/s390/inspect.js';
import { G2, K4, M1, hx, pf, s390Vm } from './helpers.js';

const ORIGIN = 0x12345;
const base = BigInt(ORIGIN) << 12n;
const value = (flags: number, level: number): bigint => BigInt(s390EntryValue(makeEntry(ORIGIN, flags), level));

describe('union pte: hardware bits I 0x400, P 0x200, IEP 0x100; soft byte s 0x40, w 0x20, d 0x08, y 0x04, sd 0x02, pr 0x01', () => {
  it.each([
    ['I', E_I, 0x400n],
    ['P', E_P, 0x200n],
    ['IEP', E_IEP, 0x100n],
    ['s', E_S, 0x40n],
    ['w', E_W, 0x20n],
    ['d', E_D, 0x08n],
    ['y', E_Y, 0x04n],
    ['sd', E_SD, 0x02n],
    ['pr', E_PR, 0x01n],
  ])('%s alone', (_name, flag, bit) => {
    expect(value(flag, 1)).toBe(base | bit);
  });
  it('all of them at once, under the page frame real address (pfra)', () => {
    expect(value(E_I | E_P | E_IEP | E_S | E_W | E_D | E_Y | E_SD | E_PR, 1)).toBe(base | 0x76fn);
  });
  it('_PTE_EMPTY is the invalid bit alone', () => {
    expect(s390EntryValue(0, 1)).toBe('0x400');
  });
  it('a host frame at the top of a 52-bit origin keeps every bit', () => {
    expect(s390EntryValue(makeEntry(2 ** 40 - 1, E_PR), 1)).toBe(hx(((2n ** 40n - 1n) << 12n) | 1n));
  });
});

describe('union crste with FC = 1 (a large leaf): FC 0x400, P 0x200, IEP 0x100, I 0x20, TT bits 60-61; soft w 0x8000, d 0x2000, y 0x1000, sd 0x02, pr 0x01', () => {
  it.each([
    ['P', E_P, 0x200n],
    ['IEP', E_IEP, 0x100n],
    ['I', E_I, 0x20n],
    ['w', E_W, 0x8000n],
    ['d', E_D, 0x2000n],
    ['y', E_Y, 0x1000n],
    ['sd', E_SD, 0x02n],
    ['pr', E_PR, 0x01n],
  ])('%s alone, in a segment entry (TT 0b00) and a region-3 entry (TT 0b01)', (_name, flag, bit) => {
    expect([value(E_FC | flag, 2), value(E_FC | flag, 3)]).toEqual([base | 0x400n | bit, base | 0x400n | 0x4n | bit]);
  });
});

describe('union crste with FC = 0 (a table pointer) and _CRSTE_EMPTY(tt)', () => {
  // dat_split_crste: a region entry is the table address | TT | TL = _REGION_ENTRY_LENGTH (0b11);
  // dat_split_ste: a segment entry is the page table's address alone.
  it.each([
    [2, 'segment', 0x0n, 0x0n],
    [3, 'region-3', 0x4n, 0x3n],
    [4, 'region-2', 0x8n, 0x3n],
    [5, 'region-1', 0xcn, 0x3n],
  ])('level %i (%s table): the pointer carries TT and TL, the empty entry is I | TT', (level, _name, tt, tl) => {
    expect([value(E_TABLE, level), BigInt(s390EntryValue(0, level))]).toEqual([base | tt | tl, 0x20n | tt]);
  });
  it('the root of each ASCE type shows its own empty token in a walk', () => {
    const tokens = ['0x80000000', '0x40000000000', '0x20000000000000', '0x40000000000000'].map((memLimit) => {
      const vm = s390Vm({ host: { maxStorage: '0xffffffffffff0000' }, s390: { memLimit } });
      return vm.walk('0x0').steps.map((s) => [s.table, s.spte, s.present, s.leaf, s.mapping]);
    });
    expect(tokens).toEqual([
      [['segment', '0x20', false, false, null]],
      [['region3', '0x24', false, false, null]],
      [['region2', '0x28', false, false, null]],
      [['region1', '0x2c', false, false, null]],
    ]);
  });
  it('an empty PTE next to a linked one: present false, not a leaf, no mapping', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1 }]);
    pf(vm, 0, K4);
    const w = vm.walk(hx(K4));
    expect([w.leafLevel, w.steps.at(-1)]).toEqual([
      null,
      { level: 1, table: 'page', index: 1, gpaBase: hx(K4), spte: '0x400', present: false, leaf: false, mapping: null },
    ]);
  });
});

describe('what is a leaf: any PTE that is not empty; a CRSTE only with FC', () => {
  it.each([
    [makeEntry(ORIGIN, E_PR), 1, true],
    [0, 1, false],
    [makeEntry(ORIGIN, E_FC | E_PR), 2, true],
    [makeEntry(ORIGIN, E_FC | E_PR), 3, true],
    [makeEntry(ORIGIN, E_TABLE), 2, false],
    [0, 3, false],
  ])('entry %d at level %i: %s', (e, level, leaf) => {
    expect(isLeafEntry(e, level)).toBe(leaf);
  });
});

describe('the state words of a leaf (contract v2): writable = P clear, executable = IEP clear, accessed = y, dirty = d', () => {
  const none = { i: false, p: false, iep: false, pr: false, y: false, w: false, d: false, sd: false, s: false };
  it('no bit set: writable and executable, not accessed, not dirty', () => {
    expect(decodeEntry(0)).toEqual({ writable: true, executable: true, accessed: false, dirty: false, archBits: none });
  });
  it.each([
    [E_I, { archBits: { ...none, i: true } }],
    [E_P, { writable: false, archBits: { ...none, p: true } }],
    [E_IEP, { executable: false, archBits: { ...none, iep: true } }],
    [E_PR, { archBits: { ...none, pr: true } }],
    [E_Y, { accessed: true, archBits: { ...none, y: true } }],
    [E_W, { archBits: { ...none, w: true } }],
    [E_D, { dirty: true, archBits: { ...none, d: true } }],
    [E_SD, { archBits: { ...none, sd: true } }],
    [E_S, { archBits: { ...none, s: true } }],
  ])('flag %i alone', (flag, words) => {
    expect(decodeEntry(flag)).toEqual({ writable: true, executable: true, accessed: false, dirty: false, ...words });
  });
  it('a read-linked 2G leaf: not writable (P), executable, accessed, clean', () => {
    const vm = s390Vm({ host: { hpage: true, hpage2g: true }, s390: { hpage1m: true, hpage2g: true } }, [
      { gpa: G2, size: G2, backing: { pageSize: '2G', hugetlb: true } },
    ]);
    const m = pf(vm, 2 * G2 - K4, K4).mapped;
    expect(m.map((r) => [r.gpa, r.size, r.level, r.count, r.writable, r.executable, r.accessed, r.dirty])).toEqual([
      [hx(G2), hx(G2), '2G', 1, false, true, true, false],
    ]);
    expect(BigInt(vm.walk(hx(G2)).steps[0]!.spte)).toBe(BigInt(2 ** 40 + G2) | 0x400n | 0x200n | 0x4n | 0x8000n | 0x1000n | 0x1n);
  });
});
