// The page-table page itself (struct kvm_mmu_page): what a fresh one holds and how its
// storage is laid out. The layout is what keeps bench:engine's bytes per leaf low: SPTE
// arrays carved from shared slabs, and no child-pointer array on 4K tables.
import { describe, expect, it } from 'vitest';
import { PageTable, SPTE_ENT_PER_PAGE } from '../../src/sim/mmu/table.js';
import { SHADOW_NONPRESENT } from '../../src/sim/mmu/spte.js';

describe('PageTable (kvm_mmu_page)', () => {
  it('is allocated zeroed, as tdp_mmu_alloc_sp zallocs it: every SPTE non-present, not NX-disallowed', () => {
    const sp = new PageTable(2, 512 * 512, 7);
    expect(sp.spt).toHaveLength(SPTE_ENT_PER_PAGE);
    expect(sp.spt.every((spte) => spte === SHADOW_NONPRESENT)).toBe(true);
    expect(sp.nxHugePageDisallowed).toBe(false);
    expect([sp.level, sp.gfn, sp.pfn]).toEqual([2, 512 * 512, 7]);
  });

  it('keeps one child pointer per entry above 4K and none at 4K (a 4K table points at no tables)', () => {
    for (const level of [2, 3, 4, 5]) expect(new PageTable(level, 0, 0).children).toHaveLength(SPTE_ENT_PER_PAGE);
    expect(new PageTable(1, 0, 0).children).toBeNull();
  });

  it('carves SPTE arrays from shared slabs: 64 tables need at most three backing buffers, none shared by two live arrays', () => {
    const tables = Array.from({ length: 64 }, (_, i) => new PageTable(1, i * 512, i));
    const buffers = new Set(tables.map((t) => t.spt.buffer));
    expect(buffers.size).toBeLessThanOrEqual(3);
    // Carving must never hand out overlapping SPTE arrays: writing one table leaves the rest alone.
    tables.forEach((t, i) => t.spt.fill(i + 1));
    tables.forEach((t, i) => expect(t.spt.every((spte) => spte === i + 1)).toBe(true));
  });

  it('indexes entries by level: SPTE_INDEX and the first gfn of each entry', () => {
    const pmd = new PageTable(2, 0x40000, 0);
    expect(pmd.index(0x40000)).toBe(0);
    expect(pmd.index(0x40000 + 511)).toBe(0);
    expect(pmd.index(0x40000 + 512 * 3 + 5)).toBe(3);
    expect(pmd.entryGfn(3)).toBe(0x40000 + 512 * 3);
    const pte = new PageTable(1, 0x200, 0);
    expect(pte.index(0x200 + 17)).toBe(17);
    expect(pte.entryGfn(17)).toBe(0x200 + 17);
  });
});
