// inject.memslotBeingDeleted: the slot is KVM_MEMSLOT_INVALID during the call (its delete waits
// in synchronize_srcu). kvm_mmu_faultin_pfn: 6.18 (3ccbf6f47098) gives a prefetch fault
// EAGAIN; before, RET_PF_RETRY forever, ended here as a signal would (EINTR + note).
import { describe, expect, it } from 'vitest';
import { GiB, MiB2, hx, makeVm, prefault, trace } from './helpers.js';

const slots = [
  { gpa: 0, size: MiB2 },
  { slot: 1, gpa: MiB2, size: MiB2 },
];
const deleting = { memslotBeingDeleted: { addressSpace: 0, slot: 1 } };

describe('a memslot being deleted during KVM_PRE_FAULT_MEMORY', () => {
  it('6.18: the faulting iteration fails with EAGAIN naming KVM_MEMSLOT_INVALID', () => {
    const vm = makeVm({ kernel: '6.18' }, slots);
    const r = prefault(vm, MiB2, 0x1000, { inject: deleting });
    expect([r.ret, r.errno, r.range.size]).toEqual([-11, 'EAGAIN', '0x1000']);
    expect(trace(r)).toEqual([`${hx(MiB2)} ERROR - 0x0 x1 EAGAIN`]);
    expect(r.reason).toMatch(/KVM_MEMSLOT_INVALID.*prefetch \(kvm_mmu_faultin_pfn\)/);
    expect(r.note).toBeUndefined();
  });
  it('progress before the slot still makes the call succeed; the retry gets EAGAIN', () => {
    const vm = makeVm({ kernel: '6.18' }, slots);
    const r = prefault(vm, MiB2 - 0x1000, 0x2000, { inject: deleting });
    expect([r.ret, r.range.gpa, r.range.size]).toEqual([0, hx(MiB2), '0x1000']);
    expect(prefault(vm, MiB2, 0x1000, { inject: deleting }).errno).toBe('EAGAIN');
  });
  it('before 6.18 the fault retries forever: the call ends as a signal would, EINTR with a note', () => {
    for (const kernel of ['6.11', '6.15', '6.17'] as const) {
      const r = prefault(makeVm({ kernel }, slots), MiB2, 0x1000, { inject: deleting });
      expect([kernel, r.ret, r.errno]).toEqual([kernel, -4, 'EINTR']);
      expect(r.note).toMatch(/KVM_MEMSLOT_INVALID.*synchronize_srcu.*signal/);
      expect(r.iterations.at(-1)).toMatchObject({ result: 'ERROR', errno: 'EINTR', reason: expect.stringMatching(/RET_PF_RETRY/) });
    }
  });
  it('the simulated delete does not complete: afterwards the slot maps normally', () => {
    const vm = makeVm({}, slots);
    prefault(vm, MiB2, 0x1000, { inject: deleting });
    expect(vm.memslots().map((s) => s.slot)).toEqual([0, 1]);
    expect(prefault(vm, MiB2, 0x1000).ret).toBe(0);
  });
  it('other slots are not affected', () => {
    const r = prefault(makeVm({}, slots), 0, 0x1000, { inject: deleting });
    expect(trace(r)).toEqual(['0x0 FIXED 4K 0x1000 x1']);
  });
  it('an unknown slot is a not-found error, before anything runs', () => {
    const vm = makeVm({}, slots);
    expect(() => prefault(vm, 0, 0x1000, { inject: { memslotBeingDeleted: { addressSpace: 0, slot: 9 } } })).toThrow(/memslot 9 does not exist/);
    expect(() => prefault(vm, 0, 0x1000, { inject: { memslotBeingDeleted: { addressSpace: 1, slot: 0 } } })).toThrow(/does not exist/);
    expect(vm.roots()).toEqual([]);
    void GiB;
  });
});
