// The gmap's own operations on a bare gmap (spec part 2 §19.3–§19.5; kvms390 gmap/gmap.c at
// bff606910868): _gmap_link (the new leaf, the same-pfn relink, the other-pfn EAGAIN,
// DAT_WALK_CONTINUE below a table), gmap_try_fixup_minor (valid, aged, not present), the aging
// the minor path undoes, and gmap_1m_allowed / gmap_2g_allowed at their boundaries.
import { describe, expect, it } from 'vitest';
import { EAGAIN, ENOMEM } from '../../../src/sim/errno.js';
import { E_FC, E_I, E_P, E_PR, E_SD, E_W, E_Y, entryFlags, entryOrigin, makeEntry, type DatWalk } from '../../../src/sim/s390/dat.js';
import { Gmap, MINOR_FIXED, MINOR_NONE, MINOR_VALID, gmapAge, gmapLink, gmapTryFixupMinor, type LinkResult } from '../../../src/sim/s390/gmap.js';
import { CrstBudget } from '../../../src/sim/s390/state.js';
import { G2, K4, M1, hugeVm, hx, pf } from './helpers.js';

const PFN = 0x4000000;
const bare = (budget = 1 << 30): Gmap => new Gmap('g', 'region3', new CrstBudget(budget));
const out = (): LinkResult => ({ level: 0, gfn: 0, origin: 0, flags: 0 });
const walk = (): DatWalk => ({ table: null, index: 0, level: 0, entry: 0 });
/** The entry the leaf walk reaches for gfn. */
const entryAt = (g: Gmap, gfn: number): { level: number; entry: number } => {
  const w = walk();
  g.dat.walk(gfn, w);
  return { level: w.level, entry: w.entry };
};

describe('_gmap_link: the PTE path', () => {
  it('a new PTE: _pte(pfn, writable, dirty = false): P, present, young, soft W from the host', () => {
    const g = bare();
    const o = out();
    expect(gmapLink(g, 7, PFN + 7, 1, true, o)).toBe(0);
    expect(o).toEqual({ level: 1, gfn: 7, origin: PFN + 7, flags: E_P | E_PR | E_Y | E_W });
    expect(entryAt(g, 7)).toEqual({ level: 1, entry: makeEntry(PFN + 7, E_P | E_PR | E_Y | E_W) });
    const ro = out();
    expect([gmapLink(g, 8, PFN + 8, 1, false, ro), ro.flags]).toEqual([0, E_P | E_PR | E_Y]);
    expect(g.dat.counts).toEqual({ leaves: [0, 2, 0, 0], tables: 3 });
  });
  it('an existing PTE with the same pfn is rewritten, keeping its soft-dirty bit; another pfn is EAGAIN and nothing changes', () => {
    const g = bare();
    gmapLink(g, 7, PFN + 7, 1, true, out());
    const w = walk();
    g.dat.walk(7, w);
    g.dat.set(w.table!, w.index, makeEntry(PFN + 7, E_I | E_PR | E_SD), undefined);
    const o = out();
    expect([gmapLink(g, 7, PFN + 7, 1, true, o), o.flags]).toEqual([0, E_P | E_PR | E_Y | E_W | E_SD]);
    const before = entryAt(g, 7);
    const untouched = out();
    expect([gmapLink(g, 7, PFN + 8, 1, true, untouched), untouched, entryAt(g, 7)]).toEqual([EAGAIN, out(), before]);
    expect(g.dat.counts.leaves[1]).toBe(1);
  });
});

describe('_gmap_link: the large CRSTE path (_crste_fc1)', () => {
  it('a segment leaf: origin aligned to the 1M frame, FC set; the gfn reported is the frame start', () => {
    const g = bare();
    const o = out();
    expect(gmapLink(g, 256 + 5, PFN + 256 + 5, 2, true, o)).toBe(0);
    expect(o).toEqual({ level: 2, gfn: 256, origin: PFN + 256, flags: E_FC | E_P | E_PR | E_Y | E_W });
    expect(entryAt(g, 256 + 200)).toEqual({ level: 2, entry: makeEntry(PFN + 256, E_FC | E_P | E_PR | E_Y | E_W) });
    expect(g.dat.counts).toEqual({ leaves: [0, 0, 1, 0], tables: 2 });
  });
  it('a region-3 leaf: origin aligned to the 2G frame', () => {
    const g = bare();
    const o = out();
    expect(gmapLink(g, 2 ** 19 + 3, PFN * 8 + 3, 3, false, o)).toBe(0);
    expect(o).toEqual({ level: 3, gfn: 2 ** 19, origin: PFN * 8, flags: E_FC | E_P | E_PR | E_Y });
    expect(g.dat.counts).toEqual({ leaves: [0, 0, 0, 1], tables: 1 });
  });
  it('the same frame from another pfn inside it relinks; another frame is EAGAIN; soft-dirty is kept', () => {
    const g = bare();
    gmapLink(g, 256, PFN + 256, 2, true, out());
    const w = walk();
    g.dat.walk(256, w);
    g.dat.set(w.table!, w.index, makeEntry(PFN + 256, E_FC | E_I | E_PR | E_SD), undefined);
    const o = out();
    expect([gmapLink(g, 300, PFN + 300, 2, true, o), o.origin, o.flags & E_SD]).toEqual([0, PFN + 256, E_SD]);
    expect(gmapLink(g, 300, PFN + 512 + 300, 2, true, out())).toBe(EAGAIN);
    expect(entryOrigin(entryAt(g, 300).entry)).toBe(PFN + 256);
  });
  it('DAT_WALK_CONTINUE: a 1M frame whose segment entry points to a page table gets a PTE', () => {
    const g = bare();
    gmapLink(g, 256, PFN + 256, 1, true, out());
    const o = out();
    expect([gmapLink(g, 257, PFN + 257, 2, true, o), o.level, o.gfn]).toEqual([0, 1, 257]);
    expect(g.dat.counts).toEqual({ leaves: [0, 2, 0, 0], tables: 3 });
  });
  it('ENOMEM when the segment table cannot be allocated (the root alone fits the budget)', () => {
    const g = bare(16 * 1024);
    expect([gmapLink(g, 256, PFN + 256, 2, true, out()), gmapLink(g, 1, PFN + 1, 1, true, out())]).toEqual([ENOMEM, ENOMEM]);
    expect(g.dat.counts).toEqual({ leaves: [0, 0, 0, 0], tables: 1 });
  });
});

describe('gmap_try_fixup_minor for a read', () => {
  it('no leaf: MINOR_NONE (the slow path decides)', () => {
    const w = walk();
    expect([gmapTryFixupMinor(bare(), 5, w), w.entry, w.level]).toEqual([MINOR_NONE, 0, 3]);
  });
  it('a valid leaf: MINOR_VALID, the walk reports it, nothing changes', () => {
    const g = bare();
    gmapLink(g, 256, PFN + 256, 2, true, out());
    const before = entryAt(g, 256);
    const w = walk();
    expect([gmapTryFixupMinor(g, 300, w), w.level, w.entry]).toEqual([MINOR_VALID, 2, before.entry]);
    expect(entryAt(g, 256)).toEqual(before);
  });
  it('an aged leaf (present, invalid, old): made valid and young, protection and W kept: MINOR_FIXED', () => {
    const g = bare();
    gmapLink(g, 7, PFN + 7, 1, true, out());
    expect(gmapAge(g, 7, walk())).toBe(true);
    expect(entryFlags(entryAt(g, 7).entry)).toBe(E_I | E_P | E_PR | E_W);
    const w = walk();
    expect([gmapTryFixupMinor(g, 7, w), entryFlags(w.entry)]).toEqual([MINOR_FIXED, E_P | E_PR | E_Y | E_W]);
    expect(entryAt(g, 7).entry).toBe(makeEntry(PFN + 7, E_P | E_PR | E_Y | E_W));
    expect(g.dat.counts.leaves[1]).toBe(1);
  });
  it('an invalid PTE that is not present goes to the slow path unchanged (_gmap_handle_minor_pte_fault: !pr)', () => {
    const g = bare();
    gmapLink(g, 7, PFN + 7, 1, true, out());
    const w = walk();
    g.dat.walk(7, w);
    g.dat.set(w.table!, w.index, makeEntry(PFN + 7, E_I | E_P), undefined);
    expect([gmapTryFixupMinor(g, 7, walk()), entryAt(g, 7).entry]).toEqual([MINOR_NONE, makeEntry(PFN + 7, E_I | E_P)]);
  });
  it('aging an empty entry does nothing', () => {
    const g = bare();
    expect([gmapAge(g, 9, walk()), g.dat.counts]).toEqual([false, { leaves: [0, 0, 0, 0], tables: 1 }]);
  });
});

describe('gmap_1m_allowed / gmap_2g_allowed at their boundaries (through the pre-fault)', () => {
  const TiB = 2 ** 40;
  const level = (slot: { gpa: number; size: number; hva?: number; pageSize: '1M' | '2G' }, gpa: number): string | null => {
    const backing = slot.pageSize === '2G' ? { pageSize: '2G' as const, hugetlb: true } : { pageSize: '1M' as const };
    const vm = hugeVm([{ gpa: slot.gpa, size: slot.size, ...(slot.hva !== undefined ? { hva: slot.hva } : {}), backing }]);
    return pf(vm, gpa, K4).iterations[0]!.level;
  };
  it('1M: a slot that is exactly the frame allows it; starting one page later or ending one page early does not', () => {
    expect([
      level({ gpa: M1, size: M1, pageSize: '1M' }, M1 + 5 * K4),
      level({ gpa: M1 + K4, size: M1 - K4, pageSize: '1M' }, M1 + 5 * K4),
      level({ gpa: M1, size: M1 - K4, pageSize: '1M' }, M1 + 5 * K4),
    ]).toEqual(['1M', '4K', '4K']);
  });
  it('2G: exactly the frame allows it; a frame cut short by 1M falls back to a 1M segment leaf', () => {
    expect([
      level({ gpa: G2, size: G2, pageSize: '2G' }, G2 + M1),
      level({ gpa: G2, size: G2 - M1, pageSize: '2G' }, G2 + M1),
      level({ gpa: G2 + M1, size: G2 - M1, pageSize: '2G' }, G2 + M1),
    ]).toEqual(['2G', '1M', '1M']);
  });
  it('the hva congruent with the gpa modulo the frame (here 4G apart) allows it; 4K apart does not', () => {
    expect([
      level({ gpa: G2, size: G2, hva: TiB + 4 * G2, pageSize: '2G' }, G2 + 3 * K4),
      level({ gpa: G2, size: G2, hva: TiB + G2 + K4, pageSize: '2G' }, G2 + 3 * K4),
      level({ gpa: 0, size: G2, hva: TiB + 2 * G2, pageSize: '1M' }, 3 * M1),
      level({ gpa: 0, size: G2, hva: TiB + K4, pageSize: '1M' }, 3 * M1),
    ]).toEqual(['2G', '4K', '1M', '4K']);
  });
  it('the leaf maps the congruent host frame: hostPfn is the hva frame of the frame start', () => {
    const vm = hugeVm([{ gpa: G2, size: G2, hva: TiB + 4 * G2, backing: { pageSize: '2G', hugetlb: true } }]);
    const m = pf(vm, G2 + 3 * K4, K4).mapped[0]!;
    expect([m.gpa, m.level, m.hostPfn]).toEqual([hx(G2), '2G', hx((TiB + 4 * G2) / K4)]);
  });
});
