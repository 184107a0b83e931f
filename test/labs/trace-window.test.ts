// A trace keeps only the window of events asked for, whatever the operation's size, and
// the window's lines are exactly those of the whole trace.
import { describe, expect, it } from 'vitest';
import { OperationTracer, type TraceRange } from '../../src/labs/trace.js';
import { TraceWindow, withVmDefaults, type Operation, type TracepointEvent } from '../../src/sim/index.js';

const config = withVmDefaults({ name: 't' });
const log: Operation[] = [
  { op: 'set_memslot', addressSpace: 0, slot: 0, region: { guestPhysAddr: '0x0', size: '0x200000', backing: { pageSize: '4K', writable: true } } },
  { op: 'create_vcpu', vcpu: { id: 0 } },
  { op: 'pre_fault', vcpuId: 0, gpa: '0x0', size: '0x200000', flags: '0x0' },
];

describe('TraceWindow', () => {
  it('counts every event and keeps only those in [offset, offset + limit)', () => {
    const window = new TraceWindow(10, 5);
    const event = (i: number): TracepointEvent => ({ name: 'kvm_mmu_spte_requested', gfn: `0x${i.toString(16)}`, pfn: '0x0', level: 1 });
    for (let i = 0; i < 100_000; i++) window.push(event(i));
    expect(window.total).toBe(100_000);
    expect(window.events.map((e) => (e as { gfn: string }).gfn)).toEqual(['0xa', '0xb', '0xc', '0xd', '0xe']);
  });
});

/** The trace of the last of `ops`, the others replayed first in two batches. */
function traceOperation(ops: Operation[], range: TraceRange) {
  const tracer = new OperationTracer(config, { op: ops.at(-1)!, seq: ops.length, limits: {} });
  tracer.replay(ops.slice(0, 1));
  tracer.replay(ops.slice(1, -1));
  return tracer.trace(range);
}

describe('OperationTracer', () => {
  it('answers a range as exactly those lines of the whole trace, and the total', () => {
    const whole = traceOperation(log, { offset: 0, limit: 1_000_000 });
    const all = whole.text.split('\n').slice(0, -1);
    expect(all).toHaveLength(whole.total);
    expect(whole.total).toBeGreaterThan(512);
    const part = traceOperation(log, { offset: 100, limit: 7 });
    expect(part.total).toBe(whole.total);
    expect(part.text).toBe(
      all
        .slice(100, 107)
        .map((l) => `${l}\n`)
        .join(''),
    );
    expect(traceOperation(log, { offset: whole.total, limit: 10 }).text).toBe('');
  });

  it('refuses an entry that is not a fault, naming seq', () => {
    expect(() => traceOperation(log.slice(0, 2), { offset: 0, limit: 10 })).toThrow(/entry 2 is a create_vcpu/);
  });
});
