// fast_page_fault (mmu.c) on EPT without A/D bits, where page_fault_can_be_fast lets it run:
// what it fixes without the slow path, and its tracepoint (mmutrace.h: fast_page_fault,
// with the fault's error code, the SPTE before and after, and the RET_PF_* outcome).
import { describe, expect, it } from 'vitest';
import type { Operation, TracepointEvent, Vm } from '../../src/sim/index.js';
import { MiB2, makeVm, prefault, rows } from './helpers.js';

type FastPf = Extract<TracepointEvent, { name: 'fast_page_fault' }>;
const RET_PF_INVALID = 4;
const RET_PF_FIXED = 5;
const RET_PF_SPURIOUS = 6;

/** The fast_page_fault events of one call. */
function fastPf(vm: Vm, op: Operation): FastPf[] {
  const sink: TracepointEvent[] = [];
  vm.apply(op, { trace: sink });
  return sink.filter((e): e is FastPf => e.name === 'fast_page_fault');
}
const pre = (gpa: number): Operation => ({ op: 'pre_fault', vcpuId: 0, gpa: `0x${gpa.toString(16)}`, size: '0x1000', flags: '0x0' });
const guest = (gpa: number, kind: 'read' | 'write' | 'exec'): Operation => ({ op: 'access', vcpuId: 0, gpa: `0x${gpa.toString(16)}`, kind });

/** A VM on EPT without A/D whose first 4K page a pre-fault mapped (prefetch: access-tracked). */
function tracked(kernel: '6.12' | '6.18' = '6.18'): Vm {
  const vm = makeVm({ kernel, host: { adBits: false } }, [{ gpa: 0, size: MiB2 }]);
  prefault(vm, 0, 0x1000);
  return vm;
}

describe('the error code fast_page_fault reports (PFERR_* of the fault)', () => {
  // A pre-fault: kvm_arch_vcpu_pre_fault_memory's PFERR_GUEST_FINAL_MASK. A guest access:
  // __vmx_handle_ept_violation (vmx/common.h): a read is PFERR_USER_MASK (bit 2), a write
  // PFERR_WRITE_MASK (bit 1), a fetch PFERR_FETCH_MASK (bit 4); an access-tracked SPTE grants
  // no R/W/X, so PFERR_PRESENT_MASK (bit 0) stays clear.
  it.each([
    ['a pre-fault', pre(0), '0x100000000'],
    ['a guest read', guest(0, 'read'), '0x100000004'],
    ['a guest write', guest(0, 'write'), '0x100000002'],
    ['a guest fetch', guest(0, 'exec'), '0x100000010'],
  ])('%s over an access-tracked leaf', (_what, op, errorCode) => {
    const [ev] = fastPf(tracked(), op);
    expect([ev!.errorCode, ev!.ret]).toEqual([errorCode, RET_PF_FIXED]);
  });

  it('a guest write to a readable leaf write-protected by dirty logging: PFERR_PRESENT_MASK too, and W comes back', () => {
    const slot = { gpa: 0, size: MiB2, userspaceAddr: '0x10000000000' };
    const vm = makeVm({ host: { adBits: false } }, [slot]);
    prefault(vm, 0, 0x1000);
    fastPf(vm, guest(0, 'read'));
    vm.apply({
      op: 'set_memslot',
      addressSpace: 0,
      slot: 0,
      region: { guestPhysAddr: '0x0', size: '0x200000', userspaceAddr: slot.userspaceAddr, flags: ['log_dirty_pages'] },
    });
    expect(rows(vm)[0]!.writable).toBe(false);
    const [ev] = fastPf(vm, guest(0, 'write'));
    expect([ev!.errorCode, ev!.ret]).toEqual(['0x100000003', RET_PF_FIXED]);
    expect(rows(vm)[0]!.writable).toBe(true);
  });

  it('a private fault on a VM with private memory adds PFERR_PRIVATE_ACCESS (bit 49)', () => {
    const vm = makeVm({ type: 'sw_protected', host: { adBits: false } }, [{ gpa: 0, size: MiB2, flags: ['guest_memfd'] }]);
    expect(vm.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: true })).toMatchObject({ ret: 0 });
    prefault(vm, 0, 0x1000);
    const [ev] = fastPf(vm, pre(0));
    expect(ev!.errorCode).toBe('0x2000100000000');
  });
});

describe('what fast_page_fault fixes', () => {
  it('restore_acc_track_spte: the SPTE after differs from the one before, and the walk shows the one after', () => {
    const vm = tracked();
    const [ev] = fastPf(vm, guest(0, 'read'));
    expect(ev!.newSpte).not.toBe(ev!.oldSpte);
    expect(vm.walk(vm.roots()[0]!.id, 0n).steps.at(-1)!.spte).toBe(ev!.newSpte);
    expect(ev!.sptep).toMatch(/^0x[0-9a-f]+$/);
  });

  it("a pre-fault the fast path fixed reports the leaf it changed in the answer's mapped rows", () => {
    const vm = tracked();
    const r = prefault(vm, 0, 0x1000);
    expect(r.iterations.map((i) => i.result)).toEqual(['FIXED']);
    expect(r.mapped).toEqual([expect.objectContaining({ gpa: '0x0', level: '4K', count: 1, accessed: true })]);
  });

  it('a pre-fault over a leaf that already allows the access is RET_PF_SPURIOUS and changes nothing', () => {
    const vm = tracked();
    fastPf(vm, guest(0, 'read'));
    const [ev] = fastPf(vm, pre(0));
    expect([ev!.ret, ev!.newSpte]).toEqual([RET_PF_SPURIOUS, ev!.oldSpte]);
    // Nothing changed, so the answer lists no mapping.
    const r = prefault(vm, 0, 0x1000);
    expect([r.iterations.map((i) => i.result), r.mapped]).toEqual([['SPURIOUS'], []]);
  });

  it('a write gives W back to an MMU-writable leaf; a read of the same tracked leaf does not', () => {
    const read = tracked();
    fastPf(read, guest(0, 'read'));
    expect(rows(read)[0]!.writable).toBe(false);
    const write = tracked();
    fastPf(write, guest(0, 'write'));
    expect(rows(write)[0]!.writable).toBe(true);
  });

  it('a write to a huge leaf of a dirty-logging slot goes to the slow path (no W here: it must be split to 4K)', () => {
    const slot = { gpa: 0, size: 2 * MiB2, backing: { pageSize: '2M' as const }, userspaceAddr: '0x10000000000' };
    const vm = makeVm({ host: { adBits: false, eagerPageSplit: false } }, [slot]);
    prefault(vm, 0, MiB2);
    vm.apply({
      op: 'set_memslot',
      addressSpace: 0,
      slot: 0,
      region: {
        guestPhysAddr: '0x0',
        size: `0x${(2 * MiB2).toString(16)}`,
        backing: slot.backing,
        userspaceAddr: slot.userspaceAddr,
        flags: ['log_dirty_pages'],
      },
    });
    const events = fastPf(vm, guest(0x3000, 'write'));
    // The fast path ran and gave up (RET_PF_INVALID), then the slow path mapped 4K.
    expect(events.map((e) => e.ret)).toEqual([RET_PF_INVALID]);
    expect(rows(vm).find((m) => m.gpa === '0x3000')).toMatchObject({ level: '4K', writable: true });
  });
});
