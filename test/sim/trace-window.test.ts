// TraceWindow (mmu/tracepoint.ts): a tracepoint sink that counts every event of a call but
// keeps only the window asked for, and abandons a call past its event budget.
import { describe, expect, it } from 'vitest';
import { SimError, TraceWindow, type TracepointEvent } from '../../src/sim/index.js';

const event = (n: number): TracepointEvent => ({ name: 'kvm_mmu_spte_requested', gfn: `0x${n.toString(16)}`, pfn: '0x0', level: 1 });

describe('TraceWindow', () => {
  it('keeps events numbered [offset, offset + limit) and counts them all', () => {
    const w = new TraceWindow(2, 3);
    for (let n = 0; n < 10; n++) w.push(event(n));
    expect(w.events.map((e) => (e as { gfn: string }).gfn)).toEqual(['0x2', '0x3', '0x4']);
    expect(w.total).toBe(10);
  });
  it('an empty window counts without keeping anything', () => {
    const w = new TraceWindow(0, 0);
    for (let n = 0; n < 4; n++) w.push(event(n));
    expect([w.events.length, w.total]).toEqual([0, 4]);
  });
  it('past stopAfter events the call is abandoned with a limit error on field "trace"', () => {
    const w = new TraceWindow(0, 10, 3);
    for (let n = 0; n < 3; n++) w.push(event(n));
    let error: unknown;
    try {
      w.push(event(3));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimError);
    expect([(error as SimError).code, (error as SimError).field, (error as SimError).message, w.total]).toEqual([
      'limit',
      'trace',
      'the call emits more than 3 events',
      3,
    ]);
  });
});
