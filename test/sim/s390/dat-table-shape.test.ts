// A DAT table as allocated (dat.h: struct crst_table holds _CRST_ENTRIES = 2048 CRSTEs, each of
// which may point to a lower table; struct page_table holds _PAGE_ENTRIES = 256 PTEs and their
// PGSTEs, and points to no table). A new table starts with every entry empty (gmap_new fills its
// root with _CRSTE_EMPTY through dat_alloc_crst_sleepable); the engine's empty entry is 0.
import { describe, expect, it } from 'vitest';
import { DatTable } from '../../../src/sim/s390/dat.js';

describe('a new DAT table: every entry empty, one child slot per CRSTE, none in a page table', () => {
  it.each([
    [1, 256, null],
    [2, 2048, 2048],
    [3, 2048, 2048],
    [4, 2048, 2048],
    [5, 2048, 2048],
  ])('level %i: %i entries, child slots %s', (level, entries, childSlots) => {
    const t = new DatTable(level, 0, 0x100000);
    expect([t.entries.length, t.entries.every((e) => e === 0), t.children?.length ?? null]).toEqual([entries, true, childSlots]);
  });
});
