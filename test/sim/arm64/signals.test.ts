// kvm_vcpu_pre_fault_memory checks signal_pending() at the top of every iteration: a signal
// that arrives after N iterations ends the call there, with the progress made kept (ret 0,
// the range advanced by N iterations) or, with no progress, -EINTR (spec §2.2 L1, L5).
import { describe, expect, it } from 'vitest';
import type { ArchPreFaultInject } from '../../../src/sim/arch-types.js';
import { G1, K4, arm64Vm, counts, hx, pf } from './helpers.js';

const PAGES = 8;

const CASES: { inject: ArchPreFaultInject; ret: number; pages: number }[] = [
  { inject: { signalPending: true }, ret: -4, pages: 0 },
  { inject: { signalPending: true, signalAfterIterations: 5 }, ret: -4, pages: 0 },
  { inject: { signalAfterIterations: 0 }, ret: -4, pages: 0 },
  { inject: { signalAfterIterations: 1 }, ret: 0, pages: 1 },
  { inject: { signalAfterIterations: 3 }, ret: 0, pages: 3 },
  { inject: { signalAfterIterations: PAGES }, ret: 0, pages: PAGES },
  { inject: { signalAfterIterations: null }, ret: 0, pages: PAGES },
];

describe('signal_pending() before each iteration (kvm_vcpu_pre_fault_memory)', () => {
  it.each(CASES)('$inject: ret $ret after $pages pages', ({ inject, ret, pages }) => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    const r = pf(vm, G1, PAGES * K4, inject);
    expect([r.ret, r.range.gpa, r.range.size]).toEqual([ret, hx(G1 + pages * K4), hx((PAGES - pages) * K4)]);
    expect([r.iterations.reduce((n, i) => n + i.count, 0), counts(vm)['4K']]).toEqual([pages, pages]);
    if (ret < 0) expect([r.errno, r.reason]).toEqual(['EINTR', expect.stringMatching(/signal_pending/)]);
    else expect(r.reason ?? null).toBeNull();
  });

  it('a SPURIOUS iteration counts as one: a signal after 3 iterations stops behind the page after a present one', () => {
    const vm = arm64Vm({}, [{ gpa: G1, size: G1 }]);
    pf(vm, G1 + K4, K4);
    const r = pf(vm, G1, PAGES * K4, { signalAfterIterations: 3 });
    expect([r.ret, r.range.gpa, r.iterations.map((i) => [i.result, i.count])]).toEqual([
      0,
      hx(G1 + 3 * K4),
      [
        ['FIXED', 1],
        ['SPURIOUS', 1],
        ['FIXED', 1],
      ],
    ]);
  });
});
