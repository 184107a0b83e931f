// kvm_s390_faultin_gfn for a read and what kvm_arch_vcpu_pre_fault_memory makes of it (spec
// part 2 §19.2, §19.3, §19.7, §19.8): the minor path's result and progress, the slow path's
// order of checks (memslot, then the pfn, then the invalidation re-check, then gmap_link),
// the errno each outcome becomes, with its reason, and the loop's injections on s390.
import { describe, expect, it } from 'vitest';
import { SIGNAL_REASON } from '../../../src/sim/generic-prefault.js';
import { gmapAge } from '../../../src/sim/s390/gmap.js';
import { G2, K4, M1, hugeVm, hx, pf, rows, s390Vm } from './helpers.js';

const TiB = 2 ** 40;
const age = (vm: ReturnType<typeof s390Vm>, gpa: number): boolean => gmapAge(vm.gmap(), gpa / K4, { table: null, index: 0, level: 0, entry: 0 });

describe('the ioctl itself: ENOTTY before 7.2, the vCPU, the range checks', () => {
  it('before 7.2 the ioctl does not exist: ENOTTY with its reason, whatever the vCPU', () => {
    const r = s390Vm({ kernel: '7.1' }, [], []).preFault(5, { gpa: '0x0', size: hx(K4) });
    expect([r.errno, r.reason, r.root]).toEqual([
      'ENOTTY',
      'KVM_PRE_FAULT_MEMORY does not exist on s390 before 7.2: the vCPU ioctl falls to the default of kvm_arch_vcpu_ioctl, -ENOTTY (kvm_arch_vcpu_ioctl)',
      null,
    ]);
  });
  it('from 7.2 a vCPU that does not exist is not found (there is no vCPU fd to call it on)', () => {
    const vm = s390Vm({ kernel: '7.2' }, [{ gpa: 0, size: M1 }], [0]);
    let err: unknown;
    try {
      vm.preFault(1, { gpa: '0x0', size: hx(K4) });
    } catch (e) {
      err = [(e as { code?: string }).code, (e as Error).message];
    }
    expect([err, pf(vm, 0, K4).ret]).toEqual([['not_found', 'no vCPU 1'], 0]);
  });
  it('V1-V4 at the 4K page size: flags, size alignment, size 0 are EINVAL before any iteration', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1 }]);
    const early = [
      vm.preFault(0, { gpa: '0x0', size: hx(K4), flags: '0x1' }),
      vm.preFault(0, { gpa: '0x0', size: '0x800' }),
      vm.preFault(0, { gpa: '0x0', size: '0x0' }),
    ];
    expect(early.map((r) => [r.errno, r.iterations.length, r.root])).toEqual([
      ['EINVAL', 0, null],
      ['EINVAL', 0, null],
      ['EINVAL', 0, null],
    ]);
  });
  it('an iteration reports the VM gmap as its root', () => {
    const r = pf(s390Vm({}, [{ gpa: 0, size: M1 }]), 0, K4);
    expect(r.root).toEqual({
      id: 'gmap-0',
      level: 3,
      smm: false,
      guestMode: false,
      addressSpace: 0,
      adDisabled: false,
      mirror: false,
      kind: 'gmap',
      asceType: 'region3',
    });
  });
});

describe('the minor path: an existing leaf answers before any memslot lookup', () => {
  it('a valid 1M leaf: SPURIOUS 1M, consumed to the 1M boundary or to the end of the range, nothing mapped', () => {
    const vm = hugeVm([{ gpa: 0, size: G2, backing: { pageSize: '1M' } }]);
    pf(vm, M1, K4);
    const exact = pf(vm, M1 + 3 * K4, M1 - 3 * K4);
    expect([rows(exact), exact.range, exact.mapped]).toEqual([
      [`${hx(M1 + 3 * K4)} SPURIOUS 1M ${hx(M1 - 3 * K4)} x1 -`],
      { gpa: hx(2 * M1), size: '0x0', flags: '0x0' },
      [],
    ]);
    expect(rows(pf(vm, M1 + 3 * K4, 2 * K4))).toEqual([`${hx(M1 + 3 * K4)} SPURIOUS 1M ${hx(2 * K4)} x1 -`]);
  });
  it('a valid 2G leaf: SPURIOUS 2G, consumed to the 2G boundary', () => {
    const vm = hugeVm([{ gpa: G2, size: G2, backing: { pageSize: '2G', hugetlb: true } }]);
    pf(vm, G2, K4);
    expect(rows(pf(vm, 2 * G2 - M1, M1))).toEqual([`${hx(2 * G2 - M1)} SPURIOUS 2G ${hx(M1)} x1 -`]);
  });
  it('an aged 1M leaf: FIXED 1M, the mapped row is the whole frame, made valid and young again', () => {
    const vm = hugeVm([{ gpa: 0, size: G2, backing: { pageSize: '1M' } }]);
    pf(vm, M1, K4);
    expect(age(vm, M1 + 9 * K4)).toBe(true);
    const r = pf(vm, M1 + 9 * K4, K4);
    expect(rows(r)).toEqual([`${hx(M1 + 9 * K4)} FIXED 1M 0x1000 x1 -`]);
    expect(r.mapped.map((m) => [m.gpa, m.size, m.level, m.hostPfn, m.archBits.i, m.archBits.y, m.archBits.p, m.archBits.w])).toEqual([
      [hx(M1), hx(M1), '1M', hx((TiB + M1) / K4), false, true, true, true],
    ]);
    expect(vm.roots()[0]!.counts).toMatchObject({ '4K': 0, '1M': 1 });
  });
  it('an aged 2G leaf: FIXED 2G over the whole frame', () => {
    const vm = hugeVm([{ gpa: G2, size: G2, backing: { pageSize: '2G', hugetlb: true } }]);
    pf(vm, G2, K4);
    age(vm, G2 + M1);
    const r = pf(vm, G2 + M1, K4);
    expect([rows(r), r.mapped.map((m) => [m.gpa, m.level, m.archBits.i, m.archBits.y])]).toEqual([
      [`${hx(G2 + M1)} FIXED 2G 0x1000 x1 -`],
      [[hx(G2), '2G', false, true]],
    ]);
  });
  it('an aged leaf of a slot being deleted is still made young: FIXED, the minor path does not look at memslots (spec §19.8)', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1 }]);
    pf(vm, 0, K4);
    age(vm, 0);
    const r = pf(vm, 0, K4, { memslotBeingDeleted: { addressSpace: 0, slot: 0 } });
    expect([rows(r), r.mapped.map((m) => [m.gpa, m.archBits.i, m.archBits.y])]).toEqual([['0x0 FIXED 4K 0x1000 x1 -'], [['0x0', false, true]]]);
  });
  it('a valid leaf of a slot being deleted still succeeds; a 1M leaf consumes to its boundary (spec §19.8)', () => {
    const vm = hugeVm([{ gpa: 0, size: G2, backing: { pageSize: '1M' } }]);
    pf(vm, 0, K4);
    const r = pf(vm, 0, M1 + K4, { memslotBeingDeleted: { addressSpace: 0, slot: 0 } });
    // Progress hides the error (ret 0); the failed row carries the reason.
    expect([r.ret, rows(r), r.iterations[1]!.reason]).toEqual([
      0,
      [`0x0 SPURIOUS 1M ${hx(M1)} x1 -`, `${hx(M1)} ERROR - 0x0 x1 ENOENT`],
      'addressing exception: no memslot for the gfn, or it is being deleted (kvm_s390_faultin_gfn -> PGM_ADDRESSING, kvm_arch_vcpu_pre_fault_memory)',
    ]);
  });
});

describe('the slow path, in the kernel order', () => {
  it('no memslot: ENOENT with the addressing reason, range untouched', () => {
    const r = pf(s390Vm({}, [{ gpa: 0, size: M1 }]), M1, K4);
    expect([r.ret, rows(r), r.range.gpa, r.reason]).toEqual([
      -2,
      [`${hx(M1)} ERROR - 0x0 x1 ENOENT`],
      hx(M1),
      'addressing exception: no memslot for the gfn, or it is being deleted (kvm_s390_faultin_gfn -> PGM_ADDRESSING, kvm_arch_vcpu_pre_fault_memory)',
    ]);
  });
  it('the slot being deleted is checked before the pfn: an unmapped hva in it is ENOENT, not EFAULT', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1, backing: { mapped: false } }]);
    expect(pf(vm, 0, K4, { memslotBeingDeleted: { addressSpace: 0, slot: 0 } }).errno).toBe('ENOENT');
  });
  it('only the named slot is being deleted: another slot, another address space or an unknown id changes nothing', () => {
    const vm = s390Vm({}, [
      { gpa: 0, size: M1 },
      { gpa: M1, size: M1 },
    ]);
    expect([
      pf(vm, M1, K4, { memslotBeingDeleted: { addressSpace: 0, slot: 0 } }).ret,
      pf(vm, 0, K4, { memslotBeingDeleted: { addressSpace: 1, slot: 0 } }).ret,
      pf(vm, K4, K4, { memslotBeingDeleted: { addressSpace: 0, slot: 7 } }).ret,
    ]).toEqual([0, 0, 0]);
  });
  it('an error pfn: EFAULT with its reason; the pages before it are mapped and hide it', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1, backing: { hwpoison: [hx(2 * K4)] } }]);
    const r = pf(vm, 0, 4 * K4);
    expect([r.ret, rows(r), r.range]).toEqual([
      0,
      ['0x0 FIXED 4K 0x1000 x2 -', `${hx(2 * K4)} ERROR - 0x0 x1 EFAULT`],
      { gpa: hx(2 * K4), size: hx(2 * K4), flags: '0x0' },
    ]);
    const again = pf(vm, 2 * K4, K4);
    expect([again.ret, again.reason]).toEqual([
      -14,
      'an error pfn: no VMA at the hva or a poisoned host page (__kvm_faultin_pfn, kvm_s390_faultin_gfn)',
    ]);
    expect(pf(vm, 3 * K4, K4).ret).toBe(0);
  });
  it('an unmapped hva: EFAULT for every page of the slot', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1, backing: { mapped: false } }]);
    expect([pf(vm, 0, K4).errno, pf(vm, M1 - K4, K4).errno]).toEqual(['EFAULT', 'EFAULT']);
  });
  it('raced invalidations are retried until one fault-in links: the answer is as without them', () => {
    const plain = s390Vm({}, [{ gpa: 0, size: M1 }]);
    const raced = s390Vm({}, [{ gpa: 0, size: M1 }]);
    const a = pf(plain, 0, 3 * K4);
    const b = pf(raced, 0, 3 * K4, { invalidationRaces: 2 });
    expect([rows(b), b.mapped, raced.roots()]).toEqual([rows(a), a.mapped, plain.roots()]);
  });
});

describe('gmap_link: the folio order decides first', () => {
  it('a 4K folio maps PTEs even where 1M and 2G leaves are allowed', () => {
    const vm = hugeVm([{ gpa: 0, size: G2 }]);
    expect(rows(pf(vm, M1, 2 * K4))).toEqual([`${hx(M1)} FIXED 4K 0x1000 x2 -`]);
  });
  it('a slow-path link after a minor-path hit is FIXED again, and its row is the plain v2 row', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1 }]);
    pf(vm, 0, K4);
    const r = pf(vm, 0, 2 * K4);
    expect(rows(r)).toEqual(['0x0 SPURIOUS 4K 0x1000 x1 -', '0x1000 FIXED 4K 0x1000 x1 -']);
    expect(r.iterations[1]).toEqual({ gpa: hx(K4), result: 'FIXED', level: '4K', consumed: hx(K4), count: 1, errno: null });
    expect(r.mapped.map((m) => [m.gpa, m.count])).toEqual([[hx(K4), 1]]);
  });
});

describe('the generic loop on s390: signals', () => {
  it('a signal after two iterations: the two are kept, the call answers 0 with the rest of the range', () => {
    const r = pf(s390Vm({}, [{ gpa: 0, size: M1 }]), 0, 4 * K4, { signalAfterIterations: 2 });
    expect([r.ret, rows(r), r.range.gpa, r.range.size]).toEqual([0, ['0x0 FIXED 4K 0x1000 x2 -'], hx(2 * K4), hx(2 * K4)]);
  });
  it('a signal pending before the first iteration: EINTR with the loop-top reason, nothing done', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1 }]);
    const r = pf(vm, 0, K4, { signalPending: true });
    expect([r.ret, r.reason, r.iterations, vm.mappings()]).toEqual([-4, SIGNAL_REASON, [], []]);
  });
  it('UCONTROL: EINVAL with its reason', () => {
    const r = pf(s390Vm({ type: 'ucontrol' }), 0, K4);
    expect(r.reason).toBe('the VM is UCONTROL, kvm_is_ucontrol(): use KVM_S390_VCPU_FAULT (kvm_arch_vcpu_pre_fault_memory)');
  });
});
