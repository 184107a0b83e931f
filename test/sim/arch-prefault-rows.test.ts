// The generic half of KVM_PRE_FAULT_MEMORY that arm64 and s390 share (kvm_main.c:
// kvm_vcpu_pre_fault_memory): the request's fields, the V1-V4 checks at the host page size,
// and the v2 iteration rows, which merge only consecutive iterations alike in every field.
import { describe, expect, it } from 'vitest';
import { ArchIterationRows, ArchMappingCoalescer, checkPreFaultRange, parsePreFault } from '../../src/sim/generic-prefault.js';
import { refusal } from './helpers.js';

describe('the request (kvm_vcpu_pre_fault_memory copies struct kvm_pre_fault_memory)', () => {
  it.each([
    ['gpa', { gpa: 'zz', size: '0x1000' }],
    ['size', { gpa: '0x0', size: '-1' }],
    ['flags', { gpa: '0x0', size: '0x1000', flags: '0x1g' }],
  ])('a field that is not a u64 is refused naming the field: %s', (field, req) => {
    const r = refusal(() => parsePreFault(req));
    expect(r === 'ok' ? r : r.slice(0, 2)).toEqual(['invalid', field]);
  });

  it('PAGE_ALIGNED at the host page size: the reason names the size of a 64K host for gpa and size', () => {
    const check = (gpa: bigint, size: bigint) => checkPreFaultRange({ gpa, size, flags: 0n }, 0x10000);
    expect(check(0x1000n, 0x10000n)).toMatch(/range->gpa is not PAGE_ALIGNED .* 64K/);
    expect(check(0x10000n, 0x1000n)).toMatch(/range->size is not PAGE_ALIGNED .* 64K/);
    expect(check(0x10000n, 0x10000n)).toBeNull();
  });
});

describe('iteration rows: consecutive iterations merge only when every field is the same', () => {
  // [gfn, result, level, frames, r, fsc, attempts] of the second iteration after FIXED 4K at gfn 0.
  const FIRST = [0, 'FIXED', '4K', 1, 0, 'TRANSLATION_L3', 1] as const;
  type Step = [number, 'FIXED' | 'SPURIOUS' | 'ERROR', '4K' | '2M' | null, number, number, string | null, number];
  const rowsOf = (steps: Step[]) => {
    const rows = new ArchIterationRows(true);
    for (const s of steps) rows.add(...s);
    return rows.finish().map((r) => `${r.gpa} ${r.result} ${r.level} ${r.consumed} x${r.count} ${r.errno} ${r.fsc} ${r.attempts}`);
  };

  it('the next gfn with the same answer extends the row', () => {
    expect(rowsOf([[...FIRST], [1, 'FIXED', '4K', 1, 0, 'TRANSLATION_L3', 1]])).toEqual(['0x0 FIXED 4K 0x1000 x2 null TRANSLATION_L3 1']);
  });

  it.each<[string, Step]>([
    ['a gap in the gfns', [2, 'FIXED', '4K', 1, 0, 'TRANSLATION_L3', 1]],
    ['another result', [1, 'SPURIOUS', '4K', 1, 0, 'TRANSLATION_L3', 1]],
    ['another level', [1, 'FIXED', '2M', 1, 0, 'TRANSLATION_L3', 1]],
    ['another size consumed', [1, 'FIXED', '4K', 2, 0, 'TRANSLATION_L3', 1]],
    ['another return code', [1, 'FIXED', '4K', 1, -4, 'TRANSLATION_L3', 1]],
    ['another fault status code', [1, 'FIXED', '4K', 1, 0, 'TRANSLATION_L2', 1]],
    ['another number of attempts', [1, 'FIXED', '4K', 1, 0, 'TRANSLATION_L3', 2]],
  ])('%s starts a new row', (_what, second) => {
    expect(rowsOf([[...FIRST], second])).toHaveLength(2);
  });

  it('an iteration that consumed nothing never merges, even with its twin', () => {
    const failed: Step = [0, 'ERROR', null, 0, -14, null, 0];
    expect(rowsOf([failed, failed])).toEqual(['0x0 ERROR null 0x0 x1 EFAULT null 0', '0x0 ERROR null 0x0 x1 EFAULT null 0']);
  });

  it('gpas are exact up to the last 4K page below 2^64', () => {
    expect(rowsOf([[2 ** 52 - 1, 'FIXED', '4K', 1, 0, null, 0]])).toEqual(['0xfffffffffffff000 FIXED 4K 0x1000 x1 null null 0']);
  });

  it('only a negative return code is an errno', () => {
    expect(rowsOf([[0, 'FIXED', '4K', 1, 0, null, 0]])).toEqual(['0x0 FIXED 4K 0x1000 x1 null null 0']);
  });
});

describe('mapping rows: leaves merge only when gpa, host frame, level and bits all continue', () => {
  const decode = (flags: number) => ({ writable: (flags & 1) !== 0, executable: false, accessed: true, dirty: null, archBits: flags });
  // [gfn, frames, level, host frame, flags] of each leaf, in gfn order.
  type Leaf = [number, number, '4K' | '2M', number, number];
  const rowsOf = (leaves: Leaf[]) => {
    const rows = new ArchMappingCoalescer(decode, 1);
    for (const l of leaves) rows.add(...l);
    return rows.finish().map((r) => `${r.gpa} ${r.level} x${r.count} ${r.hostPfn} w=${r.writable}`);
  };

  it('the next gpa on the next host frame with the same level and bits extends the row', () => {
    expect(
      rowsOf([
        [0, 1, '4K', 100, 1],
        [1, 1, '4K', 101, 1],
      ]),
    ).toEqual(['0x0 4K x2 0x64 w=true']);
  });

  it.each<[string, Leaf]>([
    ['a gap in the gpas', [2, 1, '4K', 101, 1]],
    ['a host frame that does not follow', [1, 1, '4K', 105, 1]],
    ['another level', [1, 1, '2M', 101, 1]],
    ['other bits', [1, 1, '4K', 101, 0]],
  ])('%s starts a new row', (_what, second) => {
    expect(rowsOf([[0, 1, '4K', 100, 1], second])).toHaveLength(2);
  });
});
