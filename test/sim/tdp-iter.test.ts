// The TDP iterator (tdp_iter.c) against a recursive pre-order walk of the same tables: every
// SPTE of the tables covering [start, end), present or not, down to minLevel, in gfn order,
// each table entered at the entry covering start. Trees are random (seeded), with tables at
// the first and last entries of their parents so that steps up cross several levels at once.
import { describe, expect, it } from 'vitest';
import { forEachTdpPte } from '../../src/sim/mmu/iter.js';
import { SPTE_HUGE, SPTE_PRESENT, isLastSpte, isShadowPresent, makeSpte } from '../../src/sim/mmu/spte.js';
import { PageTable, SPTE_ENT_PER_PAGE } from '../../src/sim/mmu/table.js';
import { PAGES_PER_LEVEL } from '../../src/sim/u64.js';

/** mulberry32: a small seeded generator, so a failing tree can be rebuilt. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let nextPfn = 1000;
/** tdp_mmu_link_sp's effect: entry `i` of `parent` points to `child`. */
function link(parent: PageTable, i: number, child: PageTable): PageTable {
  parent.children![i] = child;
  parent.spt[i] = makeSpte(child.pfn, SPTE_PRESENT);
  return child;
}
/** A table at `level` for `gfn` with a few entries filled: child tables, huge leaves, 4K leaves. */
function randomTable(level: number, gfn: number, rand: () => number, depth: number): PageTable {
  const t = new PageTable(level, gfn, nextPfn++);
  const picks = new Set([0, SPTE_ENT_PER_PAGE - 1, Math.floor(rand() * SPTE_ENT_PER_PAGE), Math.floor(rand() * SPTE_ENT_PER_PAGE)]);
  for (const i of picks) {
    const r = rand();
    if (level > 1 && r < 0.6 && depth < 3) {
      link(t, i, randomTable(level - 1, t.entryGfn(i), rand, depth + 1));
    } else if (r < 0.85) {
      t.spt[i] = makeSpte(t.entryGfn(i), SPTE_PRESENT | (level > 1 ? SPTE_HUGE : 0));
    }
  }
  return t;
}

type Visit = [level: number, gfn: number, index: number, spte: number];

/** The reference: recursive pre-order, each table from the entry covering `from`. */
function reference(table: PageTable, from: number, end: number, minLevel: number, out: Visit[]): boolean {
  for (let i = table.index(Math.max(from, table.gfn)); i < SPTE_ENT_PER_PAGE; i++) {
    const gfn = table.entryGfn(i);
    if (gfn >= end) return true;
    const spte = table.spt[i]!;
    out.push([table.level, gfn, i, spte]);
    if (table.level > minLevel && isShadowPresent(spte) && !isLastSpte(spte, table.level))
      if (reference(table.children![i]!, from, end, minLevel, out)) return true;
  }
  return false;
}

function walk(root: PageTable, minLevel: number, start: number, end: number): Visit[] {
  const out: Visit[] = [];
  forEachTdpPte(root, minLevel, start, end, (it) => {
    out.push([it.level, it.gfn, it.index, it.oldSpte]);
    expect(it.table.spt[it.index], 'the current entry is the one at table/index').toBe(it.oldSpte);
  });
  return out;
}

describe('forEachTdpPte (for_each_tdp_pte_min_level) visits what a recursive pre-order walk visits', () => {
  it('random 4-level trees, random ranges, every minLevel', () => {
    const span = PAGES_PER_LEVEL[4]! * SPTE_ENT_PER_PAGE;
    for (let seed = 1; seed <= 12; seed++) {
      const rand = rng(seed);
      const root = randomTable(4, 0, rand, 0);
      // Starts inside the tables (where the first descent matters) as well as anywhere.
      const all: Visit[] = [];
      reference(root, 0, Infinity, 1, all);
      const deep = all.filter((v) => v[0] <= 2);
      for (let k = 0; k < 6; k++) {
        const at = deep[Math.floor(rand() * deep.length)]!;
        const start = k % 2 ? Math.floor(rand() * span) : at[1] + Math.floor(rand() * PAGES_PER_LEVEL[at[0]]!);
        const end = k === 0 ? span : start + 1 + Math.floor(rand() * (span - start));
        for (const minLevel of [1, 2, 3]) {
          const expected: Visit[] = [];
          reference(root, start, end, minLevel, expected);
          expect(walk(root, minLevel, start, end), `seed ${seed} [${start}, ${end}) min ${minLevel}`).toEqual(expected);
        }
      }
    }
  });

  it('the whole range of a root visits its 512 entries plus every present table under them', () => {
    const root = randomTable(4, 0, rng(99), 0);
    const expected: Visit[] = [];
    reference(root, 0, Infinity, 1, expected);
    const got = walk(root, 1, 0, Infinity);
    expect(got).toEqual(expected);
    expect(got.filter((v) => v[0] === 4)).toHaveLength(SPTE_ENT_PER_PAGE);
  });

  it('a start beyond the root range wraps into it (a gfn with a direct bit walks its alias-free gfn)', () => {
    const root = randomTable(4, 0, rng(7), 0);
    const span = PAGES_PER_LEVEL[4]! * SPTE_ENT_PER_PAGE;
    const start = 3 * PAGES_PER_LEVEL[3]! + 5;
    expect(walk(root, 1, span + start, span + start + 1)[0]?.slice(0, 2)).toEqual([4, 0]);
  });
});

describe('what the walk descends into (spte_to_child_pt)', () => {
  it('a present non-leaf SPTE only: not a huge leaf, not a non-present entry, whatever the child slot holds', () => {
    const root = new PageTable(4, 0, 1);
    const l3 = new PageTable(3, 0, 2);
    const stale = new PageTable(2, 0, 3);
    link(root, 0, l3);
    l3.children![0] = stale; // a 1G leaf over a table slot
    l3.spt[0] = makeSpte(0, SPTE_PRESENT | SPTE_HUGE);
    l3.children![1] = stale; // a zapped entry
    const seen: string[] = [];
    forEachTdpPte(root, 1, 0, 3 * PAGES_PER_LEVEL[3]!, (it) => void seen.push(`${it.level}:${it.index}`));
    expect(seen).toEqual(['4:0', '3:0', '3:1', '3:2']);
  });
});

describe("the visitor's answers", () => {
  // root entry 0 -> L3 table; its entry 0 -> L2 table; its entries 0 and 1 are huge leaves.
  const small = () => {
    const root = new PageTable(4, 0, 1);
    const l3 = new PageTable(3, 0, 2);
    const l2 = new PageTable(2, 0, 3);
    link(root, 0, l3);
    link(l3, 0, l2);
    l2.spt[0] = makeSpte(0, SPTE_PRESENT | SPTE_HUGE);
    l2.spt[1] = makeSpte(512, SPTE_PRESENT | SPTE_HUGE);
    return root;
  };

  it("'skip' after writing the entry does not descend into what it pointed to, and goes on beside it", () => {
    const seen: string[] = [];
    forEachTdpPte(small(), 1, 0, 2 * PAGES_PER_LEVEL[3]!, (it) => {
      seen.push(`${it.level}:${it.index}`);
      if (it.level === 3 && it.index === 0) {
        it.table.spt[0] = 0; // zapped
        return 'skip';
      }
    });
    expect(seen).toEqual(['4:0', '3:0', '3:1']);
  });

  it("'skip' at a table's last entry goes up and on to the parent's next entry", () => {
    const root = new PageTable(4, 0, 1);
    const l3 = new PageTable(3, 0, 2);
    link(root, 0, l3);
    const seen: string[] = [];
    forEachTdpPte(root, 1, 510 * PAGES_PER_LEVEL[3]!, 2 * PAGES_PER_LEVEL[4]!, (it) => {
      seen.push(`${it.level}:${it.index}`);
      return it.level === 3 ? 'skip' : undefined;
    });
    expect(seen).toEqual(['4:0', '3:510', '3:511', '4:1']);
  });

  it("'stop' ends the walk at once", () => {
    const seen: string[] = [];
    forEachTdpPte(small(), 1, 0, Infinity, (it) => {
      seen.push(`${it.level}:${it.index}`);
      return it.level === 2 && it.index === 1 ? 'stop' : undefined;
    });
    expect(seen).toEqual(['4:0', '3:0', '2:0', '2:1']);
  });

  it('an entry written without skip is re-read: the walk descends into a table the visitor just linked', () => {
    const root = new PageTable(4, 0, 1);
    const l3 = new PageTable(3, 0, 2);
    const seen: string[] = [];
    forEachTdpPte(root, 3, 0, 2 * PAGES_PER_LEVEL[3]!, (it) => {
      seen.push(`${it.level}:${it.index}`);
      if (it.level === 4 && it.index === 0) {
        link(root, 0, l3);
      }
    });
    expect(seen).toEqual(['4:0', '3:0', '3:1']);
  });
});
