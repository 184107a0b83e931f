// Response rows built while a call runs: iteration rows merged into runs of identical
// results, and mapping rows coalesced the way the contract's listing coalesces them.

import type { KvmPageFault } from './mmu/internal.js';
import {
  SPTE_EXECUTABLE,
  SPTE_SIM_PRIVATE,
  SPTE_WRITABLE,
  ZERO_PAGE_PFN,
  HUGE_ZERO_PAGE_PFN,
  isAccessedFlags,
  isDirtyFlags,
  isMmioFlags,
  spteFlags,
  sptePfn,
} from './mmu/spte.js';
import type { ErrnoName, IterationResultName, IterationRow, MappingRow } from './types.js';
import { LEVEL_NAMES, PAGES_PER_LEVEL, gfnToHex, hex } from './u64.js';

/** Accumulates iteration rows; consecutive equal results with contiguous gpas merge. */
export class IterationRows {
  readonly rows: IterationRow[] = [];
  private lastGfn = -1;
  private lastResult: IterationResultName | null = null;
  private lastLevel = 0;
  private lastPages = 0;
  private lastErrno: ErrnoName | null = null;
  private lastCount = 0;
  private lastStartGfn = 0;

  add(gfn: number, result: IterationResultName, level: number, pages: number, errno: ErrnoName | null): void {
    if (
      this.lastResult === result &&
      this.lastLevel === level &&
      this.lastPages === pages &&
      this.lastErrno === errno &&
      pages > 0 &&
      gfn === this.lastGfn + this.lastPages
    ) {
      this.lastCount++;
      this.lastGfn = gfn;
      return;
    }
    this.flush();
    this.lastStartGfn = gfn;
    this.lastGfn = gfn;
    this.lastResult = result;
    this.lastLevel = level;
    this.lastPages = pages;
    this.lastErrno = errno;
    this.lastCount = 1;
  }

  /** `count` calls of add() for consecutive iterations alike (a page run): the first, then the others extend it. */
  addRun(gfn: number, result: IterationResultName, level: number, pages: number, count: number): void {
    this.add(gfn, result, level, pages, null);
    this.lastCount += count - 1;
    this.lastGfn = gfn + (count - 1) * pages;
  }

  finish(): IterationRow[] {
    this.flush();
    return this.rows;
  }

  private flush(): void {
    if (this.lastResult === null) return;
    this.rows.push({
      gpa: gfnToHex(this.lastStartGfn),
      result: this.lastResult,
      level: this.lastLevel ? (LEVEL_NAMES[this.lastLevel] ?? null) : null,
      consumed: gfnToHex(this.lastPages),
      count: this.lastCount,
      errno: this.lastErrno,
    });
    this.lastResult = null;
  }
}

/**
 * The shared 4K zero page, or a frame of the huge zero page: a 2M leaf maps it at its first
 * frame, the 4K leaves of a split one at any of its 512 (a 2M pfn is 512-aligned, so one
 * range test serves both levels).
 */
const isZeroPfn = (pfn: number): boolean => pfn === ZERO_PAGE_PFN || (pfn >= HUGE_ZERO_PAGE_PFN && pfn < HUGE_ZERO_PAGE_PFN + 512);

/** Coalesces leaf SPTEs, visited in gfn order, into the contract's mapping rows. */
export class MappingCoalescer {
  readonly rows: MappingRow[] = [];
  // The open run, kept in fields rather than an object: this is on the pre-fault hot path.
  private open = false;
  private runGfn = 0;
  private nextGfn = -1;
  private level = 0;
  private flags = 0;
  private pfn = 0;
  private nextPfn = 0;
  private zero = false;
  private count = 0;

  /** noAdBits: the 6.12-and-older predicates of an SPTE without A/D bits (see isAccessedFlags). */
  constructor(private readonly noAdBits: boolean) {}

  /** Number of rows so far, counting the open run. */
  get size(): number {
    return this.rows.length + (this.open ? 1 : 0);
  }

  add(gfn: number, level: number, spte: number): void {
    this.addParts(gfn, level, spteFlags(spte), sptePfn(spte));
  }

  /** add() for callers that hold the SPTE's flags and pfn already (the fault path). */
  addParts(gfn: number, level: number, flags: number, pfn: number): void {
    const pages = PAGES_PER_LEVEL[level]!;
    if (this.open && this.nextGfn === gfn && this.level === level && this.flags === flags) {
      // Same kind and bits, adjacent: extend if the pfns continue (or both map the zero page).
      const mmio = isMmioFlags(flags);
      if (mmio || (this.zero ? isZeroPfn(pfn) : pfn === this.nextPfn)) {
        this.count++;
        this.nextGfn = gfn + pages;
        this.nextPfn = pfn + pages;
        return;
      }
    }
    this.flush();
    this.open = true;
    this.runGfn = gfn;
    this.nextGfn = gfn + pages;
    this.level = level;
    this.flags = flags;
    this.pfn = pfn;
    this.nextPfn = pfn + pages;
    this.zero = !isMmioFlags(flags) && isZeroPfn(pfn);
    this.count = 1;
  }

  /**
   * addParts() for `count` leaves from `gfn` with the same flags and consecutive pfns (a
   * page run). Past the first, each extends the open run, unless that run counts as the
   * zero page (whose rows end where the zero pfns end): then they go one by one.
   */
  addRun(gfn: number, level: number, flags: number, pfn: number, count: number): void {
    const pages = PAGES_PER_LEVEL[level]!;
    this.addParts(gfn, level, flags, pfn);
    if (this.zero) {
      for (let k = 1; k < count; k++) this.addParts(gfn + k * pages, level, flags, pfn + k * pages);
      return;
    }
    this.count += count - 1;
    this.nextGfn += (count - 1) * pages;
    this.nextPfn += (count - 1) * pages;
  }

  /**
   * The leaves one fault installed: its own (f.installed*) and, on the legacy MMU, the
   * neighbours direct_pte_prefetch added, in gfn order.
   */
  addFault(f: KvmPageFault): void {
    const extra = f.prefetched;
    let i = 0;
    if (extra.length) for (; i < extra.length && extra[i]! < f.installedGfn; i += 2) this.add(extra[i]!, 1, extra[i + 1]!);
    if (f.installed) this.addParts(f.installedGfn, f.installedLevel, f.installedFlags, f.installedPfn);
    for (; i < extra.length; i += 2) this.add(extra[i]!, 1, extra[i + 1]!);
  }

  finish(): MappingRow[] {
    this.flush();
    return this.rows;
  }

  /** The gfn the open run started at (for cursors). */
  openRunGfn(): number | null {
    return this.open ? this.runGfn : null;
  }

  private flush(): void {
    if (!this.open) return;
    this.rows.push(mappingRow(this.runGfn, this.level, this.count, this.flags, this.pfn, this.noAdBits));
    this.open = false;
  }
}

/**
 * One contract mapping row for `count` leaves of `level` starting at `gfn`. The state
 * words are the kernel's predicates: `writable` is_writable_pte,
 * `accessed` is_accessed_spte, `dirty` is_dirty_spte up to 6.12 and the D bit from 6.13.
 */
export function mappingRow(gfn: number, level: number, count: number, flags: number, pfn: number, noAdBits: boolean): MappingRow {
  const mmio = isMmioFlags(flags);
  return {
    gpa: gfnToHex(gfn),
    size: hex(BigInt(count) * BigInt(PAGES_PER_LEVEL[level]!) * 4096n),
    level: LEVEL_NAMES[level]!,
    count,
    kind: mmio ? 'mmio' : 'ram',
    hostPfn: mmio ? null : hex(pfn),
    private: (flags & SPTE_SIM_PRIVATE) !== 0,
    writable: !mmio && (flags & SPTE_WRITABLE) !== 0,
    executable: !mmio && (flags & SPTE_EXECUTABLE) !== 0,
    accessed: !mmio && isAccessedFlags(flags, noAdBits),
    dirty: !mmio && isDirtyFlags(flags, noAdBits),
  };
}
