// The row builders every pre-fault and inspection answer goes through: when iterations
// merge into one row, and when leaves coalesce into one mapping row. Each case changes one
// thing between two neighbours and holds whether they share a row.
import { describe, expect, it } from 'vitest';
import {
  HUGE_ZERO_PAGE_PFN,
  SPTE_ACCESSED,
  SPTE_EXECUTABLE,
  SPTE_HUGE,
  SPTE_MMIO,
  SPTE_PRESENT,
  SPTE_WRITABLE,
  ZERO_PAGE_PFN,
} from '../../src/sim/mmu/spte.js';
import { IterationRows, MappingCoalescer, mappingRow } from '../../src/sim/response-rows.js';

const hx = (n: number): string => `0x${n.toString(16)}`;

describe('IterationRows: consecutive equal results with contiguous gpas are one row', () => {
  const shape = (r: IterationRows) => r.finish().map((x) => [x.gpa, x.result, x.level, x.consumed, x.count, x.errno]);

  it('two 4K iterations one after the other merge; the row keeps the first gpa', () => {
    const r = new IterationRows();
    r.add(0x10, 'FIXED', 1, 1, null);
    r.add(0x11, 'FIXED', 1, 1, null);
    expect(shape(r)).toEqual([[hx(0x10000), 'FIXED', '4K', '0x1000', 2, null]]);
  });

  it('each difference starts a new row: result, level, consumed size, errno, a gap in gpa', () => {
    const pairs: [string, Parameters<IterationRows['add']>][] = [
      ['result', [0x11, 'SPURIOUS', 1, 1, null]],
      ['level (the same 4K consumed, mapped at 2M)', [0x11, 'FIXED', 2, 1, null]],
      ['consumed size', [0x11, 'FIXED', 1, 2, null]],
      ['errno', [0x11, 'FIXED', 1, 1, 'EIO']],
      ['gap', [0x12, 'FIXED', 1, 1, null]],
    ];
    for (const [what, second] of pairs) {
      const r = new IterationRows();
      r.add(0x10, 'FIXED', 1, 1, null);
      r.add(...second);
      expect(
        r.finish().map((x) => x.count),
        what,
      ).toEqual([1, 1]);
    }
  });

  it('an iteration that consumed nothing (an emulated access) is never merged, not even with an identical one at the same gpa', () => {
    const r = new IterationRows();
    r.add(0x10, 'EMULATE', 0, 0, null);
    r.add(0x10, 'EMULATE', 0, 0, null);
    expect(shape(r)).toEqual([
      [hx(0x10000), 'EMULATE', null, '0x0', 1, null],
      [hx(0x10000), 'EMULATE', null, '0x0', 1, null],
    ]);
  });

  it('addRun is count add() calls: the run extends an equal row before it, and the next add continues it', () => {
    const one = new IterationRows();
    const run = new IterationRows();
    one.add(0, 'FIXED', 2, 512, null);
    run.add(0, 'FIXED', 2, 512, null);
    for (let k = 1; k <= 3; k++) one.add(k * 512, 'FIXED', 2, 512, null);
    run.addRun(512, 'FIXED', 2, 512, 3);
    one.add(4 * 512, 'FIXED', 2, 512, null);
    run.add(4 * 512, 'FIXED', 2, 512, null);
    expect(shape(run)).toEqual(shape(one));
    expect(shape(run)).toEqual([[hx(0), 'FIXED', '2M', hx(0x200000), 5, null]]);
  });
});

const RAM = SPTE_PRESENT | SPTE_ACCESSED; // a read-only leaf, as a read fault on untouched memory installs
const RAM_2M = RAM | SPTE_HUGE;

describe('MappingCoalescer: adjacent leaves of one level, bits and pfn run are one row', () => {
  const shape = (c: MappingCoalescer) => c.finish().map((m) => [m.gpa, m.level, m.count, m.hostPfn]);
  /** The rows of leaves added one by one: [gfn, level, flags, pfn] each. */
  const coalesce = (...leaves: [number, number, number, number][]) => {
    const c = new MappingCoalescer(false);
    for (const [gfn, level, flags, pfn] of leaves) c.addParts(gfn, level, flags, pfn);
    return shape(c);
  };

  it('consecutive pfns merge; a pfn gap, another level or other bits start a new row', () => {
    expect(
      coalesce(
        [0, 1, RAM, 0x100],
        [1, 1, RAM, 0x101], // continues
        [2, 1, RAM, 0x200], // pfn gap
        [3, 1, RAM | SPTE_WRITABLE, 0x201], // other bits
      ),
    ).toEqual([
      [hx(0), '4K', 2, hx(0x100)],
      [hx(0x2000), '4K', 1, hx(0x200)],
      [hx(0x3000), '4K', 1, hx(0x201)],
    ]);
  });

  it('a 2M leaf right after a 4K leaf is a new row even when the pfns continue', () => {
    expect(coalesce([511, 1, RAM, 511], [512, 2, RAM, 512])).toEqual([
      [hx(511 * 0x1000), '4K', 1, hx(511)],
      [hx(0x200000), '2M', 1, hx(512)],
    ]);
  });

  it('MMIO SPTEs merge whatever their pfn field holds', () => {
    const c = new MappingCoalescer(false);
    c.addParts(0, 1, SPTE_MMIO, 7);
    c.addParts(1, 1, SPTE_MMIO, 3);
    expect(c.finish().map((m) => [m.kind, m.count, m.hostPfn])).toEqual([['mmio', 2, null]]);
  });

  it('4K leaves on the shared zero page are one row, and a real frame after them starts the next', () => {
    expect(coalesce([0, 1, RAM, ZERO_PAGE_PFN], [1, 1, RAM, ZERO_PAGE_PFN], [2, 1, RAM, ZERO_PAGE_PFN], [3, 1, RAM, 0x1234])).toEqual([
      [hx(0), '4K', 3, hx(ZERO_PAGE_PFN)],
      [hx(0x3000), '4K', 1, hx(0x1234)],
    ]);
  });

  it('2M leaves on the huge zero page are one row; a real 2M frame after them is not', () => {
    expect(coalesce([0, 2, RAM_2M, HUGE_ZERO_PAGE_PFN], [512, 2, RAM_2M, HUGE_ZERO_PAGE_PFN], [1024, 2, RAM_2M, 0x80000])).toEqual([
      [hx(0), '2M', 2, hx(HUGE_ZERO_PAGE_PFN)],
      [hx(0x400000), '2M', 1, hx(0x80000)],
    ]);
  });

  it('4K leaves of a split huge zero page stay one row across the split pages, starting at its first and last frames', () => {
    // Split huge zero pages map HUGE_ZERO_PAGE_PFN..+511 in each 2M: the run restarts at the
    // first frame where the next 2M begins, and still counts as the zero page.
    expect(
      coalesce(
        [510, 1, RAM, HUGE_ZERO_PAGE_PFN + 510],
        [511, 1, RAM, HUGE_ZERO_PAGE_PFN + 511],
        [512, 1, RAM, HUGE_ZERO_PAGE_PFN],
        [513, 1, RAM, HUGE_ZERO_PAGE_PFN + 1],
      ),
    ).toEqual([[hx(510 * 0x1000), '4K', 4, hx(HUGE_ZERO_PAGE_PFN + 510)]]);
  });

  it('the frame right after the huge zero page is not part of it', () => {
    expect(coalesce([0, 1, RAM, HUGE_ZERO_PAGE_PFN + 511], [1, 1, RAM, HUGE_ZERO_PAGE_PFN + 512]).map((r) => r[2])).toEqual([1, 1]);
  });

  it('addRun is count addParts() calls: 2M frames, and 4K frames that run off the end of the huge zero page', () => {
    const cases: [number, number, number, number][] = [
      // [level, flags, first pfn, count]
      [2, RAM_2M, 0x80000, 3],
      [1, RAM, HUGE_ZERO_PAGE_PFN + 508, 8], // 4 frames of the zero page, then 4 real ones: two rows
      [2, RAM_2M, HUGE_ZERO_PAGE_PFN, 2], // the huge zero page, then the 2M frame after it
    ];
    for (const [level, flags, pfn, count] of cases) {
      const pages = level === 2 ? 512 : 1;
      const one = new MappingCoalescer(false);
      const run = new MappingCoalescer(false);
      for (const c of [one, run]) c.addParts(0, level, flags, pfn - pages); // an open run for the first to extend (or not: zero page)
      for (let k = 0; k < count; k++) one.addParts((k + 1) * pages, level, flags, pfn + k * pages);
      run.addRun(pages, level, flags, pfn, count);
      for (const c of [one, run]) c.addParts((count + 1) * pages, level, flags, pfn + count * pages); // and one to extend it after
      expect(shape(run), hx(pfn)).toEqual(shape(one));
    }
    const zero = new MappingCoalescer(false);
    zero.addRun(0, 1, RAM, HUGE_ZERO_PAGE_PFN + 508, 8);
    expect(shape(zero).map((r) => r[2])).toEqual([4, 4]);
    const zero2M = new MappingCoalescer(false);
    zero2M.addRun(0, 2, RAM_2M, HUGE_ZERO_PAGE_PFN, 2);
    expect(shape(zero2M)).toEqual([
      [hx(0), '2M', 1, hx(HUGE_ZERO_PAGE_PFN)],
      [hx(0x200000), '2M', 1, hx(HUGE_ZERO_PAGE_PFN + 512)],
    ]);
  });

  it('finish() closes the open run: size counts only the rows, and there is no open run to resume from', () => {
    const c = new MappingCoalescer(false);
    c.addParts(0, 1, RAM, 0x100);
    expect([c.size, c.openRunGfn()]).toEqual([1, 0]);
    const rows = c.finish();
    expect([rows.length, c.size, c.openRunGfn()]).toEqual([1, 1, null]);
    expect(c.finish(), 'a second finish adds nothing').toHaveLength(1);
  });
});

describe('mappingRow: the size covers count leaves of the level', () => {
  it('2M and 1G rows', () => {
    expect(mappingRow(0, 2, 1, RAM_2M, 0x200, false).size).toBe('0x200000');
    expect(mappingRow(0, 2, 3, RAM_2M, 0x200, false).size).toBe('0x600000');
    expect(mappingRow(0, 3, 2, RAM_2M, 0x40000, false).size).toBe('0x80000000');
  });
  it('an MMIO row has no host pfn and no permissions', () => {
    const r = mappingRow(0x10, 1, 1, SPTE_MMIO, 0x10, false);
    expect([r.kind, r.hostPfn, r.writable, r.executable, r.accessed, r.dirty]).toEqual(['mmio', null, false, false, false, false]);
    expect(mappingRow(0x10, 1, 1, RAM | SPTE_WRITABLE | SPTE_EXECUTABLE, 0x10, false).executable).toBe(true);
  });
});
