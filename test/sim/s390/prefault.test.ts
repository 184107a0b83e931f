// KVM_PRE_FAULT_MEMORY on s390 (spec part 2 §19.1–§19.5, §19.7, §19.8):
// kvm_arch_vcpu_pre_fault_memory, kvm_s390_faultin_gfn, gmap_try_fixup_minor, gmap_link,
// gmap_1m_allowed / gmap_2g_allowed.
import { describe, expect, it } from 'vitest';
import { ARCH_KERNELS } from '../../../src/sim/arch-types.js';
import { gmapAge } from '../../../src/sim/s390/gmap.js';
import { G2, K4, M1, hugeVm, hx, pf, rows, s390Vm } from './helpers.js';

const TiB = 2 ** 40;

describe('kvm_arch_vcpu_ioctl before 7.2: ENOTTY; the capability from 7.2', () => {
  it.each(ARCH_KERNELS.filter((k) => k < '7.2'))('kernel %s: ENOTTY, range echoed, no rows, capability 0', (kernel) => {
    const vm = s390Vm({ kernel }, [{ gpa: 0, size: G2 }]);
    const r = pf(vm, 0, K4);
    expect([r.ret, r.errno, r.range.size, r.iterations, vm.capPreFaultMemory()]).toEqual([-25, 'ENOTTY', hx(K4), [], 0]);
  });
  it.each(ARCH_KERNELS.filter((k) => k >= '7.2'))('kernel %s: capability 1, UCONTROL included (kvm_vm_ioctl_check_extension)', (kernel) => {
    expect([s390Vm({ kernel }).capPreFaultMemory(), s390Vm({ kernel, type: 'ucontrol' }).capPreFaultMemory()]).toEqual([1, 1]);
  });
});

describe('kvm_arch_vcpu_pre_fault_memory: UCONTROL is refused per iteration', () => {
  it('EINVAL with one ERROR row and no root', () => {
    const r = pf(s390Vm({ type: 'ucontrol' }), 0, 2 * K4);
    expect([r.ret, rows(r), r.root]).toEqual([-22, ['0x0 ERROR - 0x0 x1 EINVAL'], null]);
  });
  it('it comes from the arch step, after the loop-top signal check: EINTR with a signal pending', () => {
    expect(pf(s390Vm({ type: 'ucontrol' }), 0, K4, { signalPending: true }).errno).toBe('EINTR');
  });
  it('V2 tests 4K alignment (the s390 page size)', () => {
    expect(pf(s390Vm({}, [{ gpa: 0, size: G2 }]), 0x800, K4).errno).toBe('EINVAL');
  });
});

describe('kvm_s390_faultin_gfn + gmap_link: the level and the progress', () => {
  it('a PTE consumes 4K', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: G2 }]);
    expect(rows(pf(vm, 0, 2 * K4))).toEqual(['0x0 FIXED 4K 0x1000 x2 -']);
  });
  it('a 1M segment leaf (VM capability, 1M folio, congruent, inside the slot) consumes to the next 1M boundary', () => {
    const vm = hugeVm([{ gpa: 0, size: G2, backing: { pageSize: '1M' } }]);
    expect(rows(pf(vm, M1 + 3 * K4, 2 * M1))).toEqual([
      `${hx(M1 + 3 * K4)} FIXED 1M ${hx(M1 - 3 * K4)} x1 -`,
      `${hx(2 * M1)} FIXED 1M ${hx(M1)} x1 -`,
      `${hx(3 * M1)} FIXED 1M ${hx(3 * K4)} x1 -`,
    ]);
    expect(vm.roots()[0]!.counts).toMatchObject({ '4K': 0, '1M': 3 });
  });
  it('a 2G region-3 leaf consumes to the next 2G boundary', () => {
    const vm = hugeVm([{ gpa: G2, size: G2, backing: { pageSize: '2G', hugetlb: true } }]);
    const r = pf(vm, G2 + K4, K4);
    expect(rows(r)).toEqual([`${hx(G2 + K4)} FIXED 2G ${hx(K4)} x1 -`]);
    expect(vm.mappings().map((m) => [m.gpa, m.level])).toEqual([[hx(G2), '2G']]);
  });
  it('gmap_1m_allowed: without KVM_CAP_S390_HPAGE_1M a 1M folio maps PTEs', () => {
    const vm = s390Vm({ host: { hpage: true } }, [{ gpa: 0, size: G2, backing: { pageSize: '1M' } }]);
    expect(pf(vm, 0, K4).iterations[0]!.level).toBe('4K');
  });
  it('gmap_1m_allowed: gfn and pfn must be congruent modulo 1M', () => {
    const vm = hugeVm([{ gpa: 0, size: G2, hva: TiB + K4, backing: { pageSize: '1M' } }]);
    expect(pf(vm, M1, K4).iterations[0]!.level).toBe('4K');
  });
  it('gmap_1m_allowed: the whole 1M frame must lie inside the memslot', () => {
    const vm = hugeVm([{ gpa: M1 / 2, size: 2 * M1, backing: { pageSize: '1M' } }]);
    expect([pf(vm, M1 / 2, K4).iterations[0]!.level, pf(vm, M1, K4).iterations[0]!.level]).toEqual(['4K', '1M']);
  });
  it('gmap_2g_allowed needs KVM_CAP_S390_HPAGE_2G: with 1M only, a 2G folio maps a 1M segment', () => {
    const vm = s390Vm({ host: { hpage: true }, s390: { hpage1m: true } }, [{ gpa: G2, size: G2, backing: { pageSize: '2G', hugetlb: true } }]);
    expect(pf(vm, G2, K4).iterations[0]!.level).toBe('1M');
  });
  it('_gmap_link continues to the PTE when the 1M frame already holds a page table (DAT_WALK_CONTINUE)', () => {
    const vm = hugeVm([{ gpa: 0, size: G2, backing: { pageSize: '1M' } }]);
    // A page table in [2G, 2G+1M) from a 4K link of an earlier, smaller slot; its delete leaves the table.
    vm.setMemslot(0, 1, { guestPhysAddr: hx(G2), size: hx(M1 / 2), userspaceAddr: hx(TiB + G2 + K4), backing: { pageSize: '1M' } });
    pf(vm, G2, K4);
    vm.setMemslot(0, 1, { guestPhysAddr: hx(G2), size: '0x0' });
    vm.setMemslot(0, 1, { guestPhysAddr: hx(G2), size: hx(M1), backing: { pageSize: '1M' } });
    const r = pf(vm, G2 + K4, K4);
    expect([r.iterations[0]!.level, r.iterations[0]!.consumed]).toEqual(['4K', hx(K4)]);
  });
});

describe('gmap_try_fixup_minor: the minor path runs first and ignores memslots', () => {
  it('a valid leaf is SPURIOUS with its own size; nothing changes', () => {
    const vm = hugeVm([{ gpa: 0, size: G2, backing: { pageSize: '1M' } }]);
    pf(vm, 0, K4);
    const r = pf(vm, 5 * K4, K4);
    expect([rows(r), r.mapped]).toEqual([[`${hx(5 * K4)} SPURIOUS 1M ${hx(K4)} x1 -`], []]);
  });
  it('an aged leaf is made valid and young, protection kept: FIXED at its size', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: G2 }]);
    pf(vm, 0, K4);
    const g = vm.gmap();
    gmapAge(g, 0, { table: null, index: 0, level: 0, entry: 0 });
    expect(vm.mappings()[0]!.archBits).toMatchObject({ i: true, y: false });
    const r = pf(vm, 0, K4);
    expect([rows(r), r.mapped[0]!.archBits]).toEqual([
      ['0x0 FIXED 4K 0x1000 x1 -'],
      { i: false, p: true, iep: false, pr: true, y: true, w: true, d: false, sd: false, s: false },
    ]);
  });
  it('a slot being deleted: a mapped gfn succeeds (SPURIOUS), an unmapped one is ENOENT (spec §19.8)', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: G2 }]);
    pf(vm, 0, K4);
    const del = { memslotBeingDeleted: { addressSpace: 0, slot: 0 } };
    expect(rows(pf(vm, 0, 2 * K4, del))).toEqual(['0x0 SPURIOUS 4K 0x1000 x1 -', '0x1000 ERROR - 0x0 x1 ENOENT']);
  });
});

describe('_pte / _crste_fc1: the leaf after a pre-fault (spec §19.5)', () => {
  it('valid, DAT-protected, present, young, soft W from the host, not dirty', () => {
    const vm = s390Vm({}, [
      { gpa: 0, size: M1 },
      { gpa: M1, size: M1, backing: { writable: false } },
    ]);
    const m = pf(vm, 0, 2 * M1).mapped;
    expect(m.map((r) => [r.gpa, r.count, r.writable, r.executable, r.accessed, r.dirty, r.archBits.w, r.archBits.p])).toEqual([
      ['0x0', 256, false, true, true, false, true, true],
      [hx(M1), 256, false, true, true, false, false, true],
    ]);
  });
  it('a segment leaf has the same bits, origin aligned to the frame', () => {
    const vm = hugeVm([{ gpa: 0, size: G2, backing: { pageSize: '1M' } }]);
    const m = pf(vm, M1 + K4, K4).mapped[0]!;
    expect([m.gpa, m.hostPfn, m.archBits]).toEqual([
      hx(M1),
      hx((TiB + M1) / 4096),
      { i: false, p: true, iep: false, pr: true, y: true, w: true, d: false, sd: false, s: false },
    ]);
  });
});

describe('kvm_arch_vcpu_pre_fault_memory errors (spec §19.7)', () => {
  it('no memslot, and beyond mem_limit: ENOENT (PGM_ADDRESSING)', () => {
    const vm = s390Vm({ s390: { memLimit: hx(G2) } }, [{ gpa: 0, size: M1 }]);
    expect([pf(vm, M1, K4).errno, pf(vm, 4 * G2, K4).errno]).toEqual(['ENOENT', 'ENOENT']);
  });
  it('no VMA at the hva: EFAULT', () => {
    expect(pf(s390Vm({}, [{ gpa: 0, size: M1, backing: { mapped: false } }]), 0, K4).errno).toBe('EFAULT');
  });
  it('a poisoned host page is an error pfn: EFAULT', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1, backing: { hwpoison: [hx(K4)] } }]);
    expect([pf(vm, 0, K4).ret, pf(vm, K4, K4).errno]).toEqual([0, 'EFAULT']);
  });
  it('invalidation races are retried without bound', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1 }]);
    expect(rows(pf(vm, 0, K4, { invalidationRaces: 10 }))).toEqual(['0x0 FIXED 4K 0x1000 x1 -']);
  });
});
