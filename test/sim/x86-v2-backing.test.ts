// Contract v2 inputs on x86: backing.hwpoison (kvm_handle_error_pfn -> kvm_send_hwpoison_signal,
// RET_PF_RETRY, then signal_pending ends the pre-fault retry loop: EINTR, spec §3.5),
// inject.invalidationRaces (the retry loop runs again: no answer changes) and backing.hugetlb (no effect).
import { describe, expect, it } from 'vitest';
import { MiB2, access, hx, makeVm, prefault, rows, setSlot, trace } from './helpers.js';

const poisoned = 0x3000;
const slot = { gpa: 0, size: MiB2, backing: { hwpoison: [hx(poisoned)] } };

describe('backing.hwpoison on x86', () => {
  it('a pre-fault of a poisoned page fails with EINTR naming kvm_handle_error_pfn and the SIGBUS', () => {
    for (const kernel of ['6.18', '6.19'] as const) {
      const r = prefault(makeVm({ kernel }, [slot]), poisoned, 0x1000);
      expect([r.ret, r.errno, r.range.gpa, r.range.size]).toEqual([-4, 'EINTR', hx(poisoned), '0x1000']);
      expect(trace(r)).toEqual([`${hx(poisoned)} ERROR - 0x0 x1 EINTR`]);
      expect(r.reason).toMatch(/kvm_handle_error_pfn.*kvm_send_hwpoison_signal.*RET_PF_RETRY.*signal_pending/);
      expect(r.reason).toContain(kernel === '6.18' ? 'kvm_tdp_map_page' : 'kvm_tdp_page_prefault');
    }
  });
  it('pages before the poisoned one are mapped and the call returns 0 with the rest of the range', () => {
    const vm = makeVm({}, [slot]);
    const r = prefault(vm, 0, 0x8000);
    expect([r.ret, r.range.gpa, r.range.size]).toEqual([0, hx(poisoned), '0x5000']);
    expect(trace(r)).toEqual(['0x0 FIXED 4K 0x1000 x3', `${hx(poisoned)} ERROR - 0x0 x1 EINTR`]);
    expect(rows(vm).map((m) => [m.gpa, m.size])).toEqual([['0x0', '0x3000']]);
  });
  it('a guest access to it is KVM_RUN answering EINTR (SIGBUS queued); its neighbours fault in normally', () => {
    const vm = makeVm({}, [slot]);
    expect(access(vm, poisoned)).toMatchObject({ ret: -4, errno: 'EINTR', reason: expect.stringMatching(/kvm_send_hwpoison_signal/) });
    expect(access(vm, poisoned + 0x1000).ret).toBe(0);
  });
  it('without it the same page maps: only the poisoned page changes', () => {
    expect(prefault(makeVm({}, [{ gpa: 0, size: MiB2 }]), poisoned, 0x1000).ret).toBe(0);
  });
  it('is echoed in the memslot view only when sent', () => {
    const vm = makeVm({}, [slot, { slot: 1, gpa: MiB2, size: MiB2 }]);
    const [a, b] = vm.memslots();
    expect(a!.backing).toEqual({ pageSize: '4K', writable: true, mapped: true, hwpoison: [hx(poisoned)] });
    expect(b!.backing).toEqual({ pageSize: '4K', writable: true, mapped: true });
  });
  it.each([
    ['a 2M pageSize', { pageSize: '2M' as const, hwpoison: ['0x0'] }, []],
    ['a guest_memfd slot', { hwpoison: ['0x0'] }, ['guest_memfd' as const]],
    ['an unaligned address', { hwpoison: ['0x1800'] }, []],
    ['an address outside the slot', { hwpoison: [hx(MiB2)] }, []],
  ])('%s is a 400 naming backing.hwpoison', (_case, backing, flags) => {
    const vm = makeVm({ type: 'tdx' });
    expect(() => setSlot(vm, { gpa: 0, size: MiB2, backing, flags })).toThrow(expect.objectContaining({ field: 'backing.hwpoison' }));
    expect(vm.memslots()).toEqual([]);
  });
});

describe('inject.invalidationRaces on x86', () => {
  it('the retry loop runs again (kvm_tdp_page_prefault): the answer equals the one without races', () => {
    const run = (inject: object) => {
      const vm = makeVm({}, [{ gpa: 0, size: 2 * MiB2 }]);
      return [prefault(vm, 0x1000, MiB2 + 0x3000, { inject }), rows(vm)];
    };
    expect(run({ invalidationRaces: 5 })).toEqual(run({}));
  });
});

describe('backing.hugetlb on x86', () => {
  it('has no effect on what is mapped, and is echoed only when sent', () => {
    const map = (backing: object) => {
      const vm = makeVm({}, [{ gpa: 0, size: MiB2, backing: { pageSize: '2M', ...backing } }]);
      return { r: prefault(vm, 0, MiB2), rows: rows(vm), view: vm.memslots()[0]!.backing };
    };
    const plain = map({});
    const huge = map({ hugetlb: true });
    expect(huge.r).toEqual(plain.r);
    expect(huge.rows).toEqual(plain.rows);
    expect(plain.view).not.toHaveProperty('hugetlb');
    expect(huge.view).toEqual({ ...plain.view, hugetlb: true });
  });
});
