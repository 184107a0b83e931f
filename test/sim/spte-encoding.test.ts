// The pure SPTE helpers of spte.ts, one rule at a time: make_huge_page_split_spte's child
// pfns and bits, mark_spte_for_access_track, and the whole hardware word spteValue shows
// (EPT and NPT bit positions from the Intel SDM / AMD APM, KVM's software bits from spte.h).
import { describe, expect, it } from 'vitest';
import {
  SPTE_ACCESSED,
  SPTE_ACCESS_TRACKED,
  SPTE_DIRTY,
  SPTE_EXECUTABLE,
  SPTE_HOST_WRITABLE,
  SPTE_HUGE,
  SPTE_PRESENT,
  SPTE_WRITABLE,
  makeHugePageSplitSpte,
  makeSpte,
  markSpteForAccessTrack,
  spteFlags,
  sptePfn,
  spteValue,
} from '../../src/sim/mmu/spte.js';

const bit = (n: number): bigint => 1n << BigInt(n);
const has = (word: bigint, n: number): boolean => (word & bit(n)) !== 0n;

describe('make_huge_page_split_spte (spte.c)', () => {
  const leaf = SPTE_PRESENT | SPTE_WRITABLE | SPTE_HUGE | SPTE_HOST_WRITABLE;

  it('a 1G leaf splits into 2M children 512 frames apart that stay huge', () => {
    const huge = makeSpte(0x40000, leaf);
    const child = (i: number) => makeHugePageSplitSpte(huge, 2, i, false);
    expect([0, 1, 511].map((i) => sptePfn(child(i)))).toEqual([0x40000, 0x40000 + 512, 0x40000 + 511 * 512]);
    expect(spteFlags(child(3))).toBe(leaf);
  });

  it('a 2M leaf splits into 4K children one frame apart, no longer huge', () => {
    const huge = makeSpte(0x200, leaf);
    const child = makeHugePageSplitSpte(huge, 1, 7, false);
    expect(sptePfn(child)).toBe(0x207);
    expect(spteFlags(child)).toBe(leaf & ~SPTE_HUGE);
  });

  it('make_spte_executable: only 4K children of a non-executable leaf become executable, and only under the NX mitigation', () => {
    const huge = makeSpte(0x40000, leaf); // not executable (an NX huge page)
    expect(spteFlags(makeHugePageSplitSpte(huge, 1, 0, true)) & SPTE_EXECUTABLE).toBe(SPTE_EXECUTABLE);
    expect(spteFlags(makeHugePageSplitSpte(huge, 1, 0, false)) & SPTE_EXECUTABLE).toBe(0);
    expect(spteFlags(makeHugePageSplitSpte(huge, 2, 0, true)) & SPTE_EXECUTABLE).toBe(0);
  });
});

describe('mark_spte_for_access_track (spte.c)', () => {
  const rw = SPTE_PRESENT | SPTE_WRITABLE | SPTE_EXECUTABLE | SPTE_ACCESSED | SPTE_DIRTY;

  it('with A/D bits: clears A only; W, X and D stay', () => {
    expect(markSpteForAccessTrack(rw, false)).toBe(rw & ~SPTE_ACCESSED);
  });

  it('without A/D bits: marks the SPTE access-tracked and clears W and A', () => {
    expect(markSpteForAccessTrack(rw, true)).toBe((rw | SPTE_ACCESS_TRACKED) & ~(SPTE_WRITABLE | SPTE_ACCESSED));
  });

  it('an SPTE already access-tracked is returned as it is', () => {
    const tracked = SPTE_PRESENT | SPTE_ACCESS_TRACKED | SPTE_WRITABLE | SPTE_ACCESSED;
    expect(markSpteForAccessTrack(tracked, true)).toBe(tracked);
  });
});

describe('spteValue: the word KVM stores', () => {
  const intel = { vendor: 'intel' as const, adDisabled: false };
  const intelNoAd = { vendor: 'intel' as const, adDisabled: true };
  const amd = { vendor: 'amd' as const, adDisabled: false };
  const table = makeSpte(0x1234, SPTE_PRESENT);

  it('EPT table entries: R/W/X, and A only when the root has A/D bits', () => {
    const withAd = spteValue(table, 2, intel);
    const noAd = spteValue(table, 2, intelNoAd);
    expect([0, 1, 2].every((b) => has(withAd, b) && has(noAd, b))).toBe(true);
    expect([has(withAd, 8), has(noAd, 8)]).toEqual([true, false]);
    expect([has(withAd, 52), has(noAd, 52)]).toEqual([false, true]);
  });

  it('an access-tracked EPT leaf keeps R and X in the saved bits 54 and 56, and has neither set', () => {
    const exec = spteValue(makeSpte(0x10, SPTE_PRESENT | SPTE_ACCESS_TRACKED | SPTE_EXECUTABLE), 1, intelNoAd);
    const noExec = spteValue(makeSpte(0x10, SPTE_PRESENT | SPTE_ACCESS_TRACKED), 1, intelNoAd);
    expect([has(exec, 54), has(exec, 56), has(exec, 0), has(exec, 2)]).toEqual([true, true, false, false]);
    expect([has(noExec, 54), has(noExec, 56)]).toEqual([true, false]);
  });

  it('an EPT leaf: X only when executable', () => {
    expect(has(spteValue(makeSpte(0x10, SPTE_PRESENT), 1, intel), 2)).toBe(false);
    expect(has(spteValue(makeSpte(0x10, SPTE_PRESENT | SPTE_EXECUTABLE), 1, intel), 2)).toBe(true);
  });

  it('an NPT leaf: W, A, D and the host-/MMU-writable bits 9 and 10 follow the flags', () => {
    const bare = spteValue(makeSpte(0x10, SPTE_PRESENT | SPTE_EXECUTABLE), 1, amd);
    const full = spteValue(makeSpte(0x10, SPTE_PRESENT | SPTE_EXECUTABLE | SPTE_WRITABLE | SPTE_ACCESSED | SPTE_DIRTY | SPTE_HOST_WRITABLE), 1, amd);
    expect([1, 5, 6, 9, 10].map((b) => has(bare, b))).toEqual([false, false, false, false, false]);
    expect([1, 5, 6, 9, 10].map((b) => has(full, b))).toEqual([true, true, true, true, true]);
    expect([has(bare, 0), has(bare, 2), has(bare, 63)]).toEqual([true, true, false]);
  });
});
