// KVM_SET_USER_MEMORY_REGION2 on x86 at its edges: the default hva, access_ok's last user
// page, kvm_mmu_max_gfn(), backing.hwpoison's bounds, and dirty logging kept to the slot's
// own address space (kvm_mmu_slot_apply_flags walks the roots of slot->as_id only).
import { describe, expect, it } from 'vitest';
import type { MemslotFlag, MemslotResult, MemslotSpec, Vm } from '../../src/sim/index.js';
import { GiB, MiB2, access, hx, makeVm, patchVcpu, refusal, regionSpec, rows, said, setSlot } from './helpers.js';

const P = 0x1000;

describe('the default userspace_addr: 1 TiB per address space plus the gpa modulo 1 TiB', () => {
  it('address space 0 and 1, below and above 1 TiB', () => {
    const vm = makeVm();
    const hva = (as: number, gpa: number) => setSlot(vm, { as, slot: 10 + as, gpa, size: MiB2 }).memslot?.userspaceAddr;
    expect(hva(0, GiB + MiB2)).toBe(hx(2 ** 40 + GiB + MiB2));
    expect(hva(1, 2 ** 40 + MiB2)).toBe(hx(2 ** 41 + MiB2));
  });
});

describe('kvm_set_memory_region: the user address range and the largest gfn', () => {
  it('a range may end at the start of the last user page (2^47 - 4K on a 4-level host), not past it', () => {
    const vm = makeVm();
    const end = 2 ** 47 - P;
    expect(setSlot(vm, { slot: 0, gpa: 0, size: MiB2, userspaceAddr: hx(end - MiB2) }).ret).toBe(0);
    const past = setSlot(vm, { slot: 1, gpa: GiB, size: MiB2, userspaceAddr: hx(end - MiB2 + P) });
    expect([past.errno, past.reason]).toEqual([
      'EINVAL',
      'userspace_addr range is not a user address range, access_ok() fails (kvm_set_memory_region)',
    ]);
  });

  it("a slot's last gfn may be kvm_mmu_max_gfn() itself, not one above", () => {
    const host = { host: { maxPhysAddr: 40 } };
    expect(setSlot(makeVm(host), { gpa: 2 ** 40 - MiB2, size: MiB2 }).ret).toBe(0);
    const past = setSlot(makeVm(host), { gpa: 2 ** 40 - MiB2, size: MiB2 + P });
    expect([past.errno, past.reason]).toEqual([
      'EINVAL',
      "the slot's last gfn is above kvm_mmu_max_gfn(), the host MAXPHYADDR (kvm_arch_prepare_memory_region)",
    ]);
  });
});

describe('backing.hwpoison: host-page aligned addresses inside the slot, counted from its start', () => {
  const slot = (hwpoison: string[], extra: Record<string, unknown> = {}) => ({
    gpa: GiB,
    size: MiB2,
    backing: { pageSize: '4K' as const, hwpoison, ...extra },
  });

  it("the slot's first and last pages may be poisoned; a page before or after it may not", () => {
    expect(setSlot(makeVm(), slot([hx(GiB), hx(GiB + MiB2 - P)])).ret).toBe(0);
    for (const bad of [GiB - P, GiB + MiB2]) {
      expect(
        refusal(() => setSlot(makeVm(), slot([hx(bad)]))),
        hx(bad),
      ).toEqual(['invalid', 'backing.hwpoison', 'backing.hwpoison addresses must be host-page aligned and inside the memslot']);
    }
    expect(refusal(() => setSlot(makeVm(), slot(['0x1z'])))?.[1]).toBe('backing.hwpoison');
  });

  it('only on a 4K-backed slot', () => {
    expect(refusal(() => setSlot(makeVm(), slot([hx(GiB)], { pageSize: '2M' })))).toEqual([
      'invalid',
      'backing.hwpoison',
      'backing.hwpoison needs pageSize equal to the host page size (4K), on a slot without guest_memfd',
    ]);
  });

  it('in a slot that does not start at gfn 0, the poisoned gfn is the one that fails, and only it', () => {
    const vm = makeVm({}, [slot([hx(GiB + 3 * P)])]);
    // kvm_send_hwpoison_signal queues SIGBUS and the fault retries: the signal ends the access (EINTR).
    expect(access(vm, GiB + 3 * P, 'read').reason).toMatch(/^the host page is poisoned/);
    expect(access(vm, GiB + 2 * P, 'read').ret).toBe(0);
    expect(access(vm, GiB + 4 * P, 'read').ret).toBe(0);
  });
});

describe("dirty logging changes only the roots of the slot's address space", () => {
  it("turning it on for an address-space-0 slot leaves the SMM root's 2M leaf over the same gfns writable", () => {
    const backing = { pageSize: '2M' as const };
    const smram = { as: 1, slot: 0, gpa: 0, size: MiB2, userspaceAddr: hx(0x7d0000000000), backing };
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, backing }, smram], [{ id: 0, smm: true }]);
    expect(access(vm, 0, 'write').ret).toBe(0);
    patchVcpu(vm, 0, { smm: false });
    expect(access(vm, 0, 'write').ret).toBe(0);
    const [normal, smm] = [vm.roots().find((r) => !r.smm)!, vm.roots().find((r) => r.smm)!];
    const before = { normal: rows(vm, normal.id), smm: rows(vm, smm.id) };
    expect(before.smm.map((m) => [m.level, m.writable, m.dirty])).toEqual([['2M', true, true]]);
    expect(setSlot(vm, { gpa: 0, size: MiB2, backing, flags: ['log_dirty_pages'] }, 0).ret).toBe(0);
    expect(rows(vm, smm.id)).toEqual(before.smm);
    expect(rows(vm, normal.id), "the slot's own root is split or write-protected").not.toEqual(before.normal);
  });
});

describe('KVM_SET_USER_MEMORY_REGION2 on x86: every refusal names its field or says its errno and reason', () => {
  const region = (gpa: number, size: number, flags: MemslotFlag[] = [], extra: Partial<MemslotSpec> = {}): MemslotSpec =>
    regionSpec(gpa, size, flags, extra);
  const put = (vm: Vm, spec: MemslotSpec, slot = 0, as = 0) => vm.apply({ op: 'set_memslot', addressSpace: as, slot, region: spec }) as MemslotResult;

  it('flags and u64 fields that do not parse are 400s naming the field', () => {
    expect(refusal(() => put(makeVm(), region(0, MiB2, ['huge' as never])))).toEqual(['invalid', 'flags', 'unknown memslot flag huge']);
    expect(refusal(() => put(makeVm(), region(0, MiB2, ['readonly', 'readonly'])))).toEqual(['invalid', 'flags', 'memslot flags must not repeat']);
    for (const field of ['guestPhysAddr', 'size', 'userspaceAddr', 'guestMemfdOffset'] as const) {
      const r = refusal(() => put(makeVm(), { ...region(0, MiB2), [field]: 'lots' }));
      expect(r === 'ok' ? r : r.slice(0, 2), field).toEqual(['invalid', field]);
    }
  });

  it.each([
    [
      'guest_memfd on a default VM',
      'default',
      region(0, MiB2, ['guest_memfd']),
      'KVM_MEM_GUEST_MEMFD on a VM type without private memory (check_memory_region_flags)',
    ],
    [
      'guest_memfd with dirty logging',
      'sw_protected',
      region(0, MiB2, ['guest_memfd', 'log_dirty_pages']),
      'KVM_MEM_LOG_DIRTY_PAGES is not a valid flag together with KVM_MEM_GUEST_MEMFD (check_memory_region_flags)',
    ],
    [
      'read-only guest_memfd',
      'sw_protected',
      region(0, MiB2, ['readonly', 'guest_memfd']),
      'KVM_MEM_READONLY is not a valid flag together with KVM_MEM_GUEST_MEMFD (check_memory_region_flags)',
    ],
    [
      'an unaligned guest_memfd offset',
      'sw_protected',
      region(0, MiB2, ['guest_memfd'], { guestMemfdOffset: '0x800' }),
      'guest_memfd_offset is not page aligned or offset + size wraps (kvm_set_memory_region)',
    ],
    [
      'a guest_memfd offset that wraps',
      'sw_protected',
      region(0, MiB2, ['guest_memfd'], { guestMemfdOffset: '0xfffffffffff00000' }),
      'guest_memfd_offset is not page aligned or offset + size wraps (kvm_set_memory_region)',
    ],
    ['an unaligned size', 'default', region(0, MiB2 + 0x800), 'memory_size is not page aligned (kvm_set_memory_region)'],
    ['an unaligned gpa', 'default', region(0x800, MiB2), 'guest_phys_addr is not page aligned (kvm_set_memory_region)'],
    [
      'an unaligned hva',
      'default',
      region(0, MiB2, [], { userspaceAddr: '0x7f0000000800' }),
      'userspace_addr is not page aligned (kvm_set_memory_region)',
    ],
    [
      'gpa + size past 2^64',
      'default',
      region(0, MiB2, [], { guestPhysAddr: '0xfffffffffff00000' }),
      'guest_phys_addr + memory_size wraps (kvm_set_memory_region)',
    ],
    // __kvm_set_memory_region: "gpa + memory_size < gpa" in u64, so a sum of exactly 2^64 (0) is a wrap too.
    [
      'gpa + size exactly 2^64',
      'default',
      region(0, MiB2, [], { guestPhysAddr: '0xffffffffffe00000' }),
      'guest_phys_addr + memory_size wraps (kvm_set_memory_region)',
    ],
  ] as const)('%s is EINVAL', (_what, type, spec, reason) => {
    expect(said(put(makeVm({ type }), spec))).toEqual(['EINVAL', reason]);
  });

  it('a guest_memfd offset ending exactly at 2^64 - 4K is accepted', () => {
    expect(put(makeVm({ type: 'sw_protected' }), region(0, MiB2, ['guest_memfd'], { guestMemfdOffset: hx(2n ** 64n - 0x201000n) })).ret).toBe(0);
  });

  it('address spaces: two on a default VM (the operation accepts no third), one on a VM with private memory; slot ids below KVM_USER_MEM_SLOTS', () => {
    expect(put(makeVm(), region(0, MiB2), 0, 1).ret).toBe(0);
    const as = 'address space id is not below kvm_arch_nr_memslot_as_ids() (kvm_set_memory_region)';
    expect(said(put(makeVm({ type: 'sw_protected' }), region(0, MiB2), 0, 1))).toEqual(['EINVAL', as]);
    expect(put(makeVm(), region(0, MiB2), 32763).ret).toBe(0);
    const slot = 'slot id is not below KVM_USER_MEM_SLOTS (kvm_vm_ioctl_set_memory_region)';
    expect(said(put(makeVm(), region(0, MiB2), 32764))).toEqual(['EINVAL', slot]);
    // kvm_vm_ioctl_set_memory_region checks the slot id before kvm_set_memory_region checks anything.
    expect(said(put(makeVm(), region(0, MiB2, ['guest_memfd'], { size: '0x1001' }), 32764))).toEqual(['EINVAL', slot]);
  });

  it('at most KVM_MEM_MAX_NR_PAGES = 2^31 - 1 pages', () => {
    const big = { host: { maxPhysAddr: 52 } };
    expect(said(put(makeVm(big), region(0, 2 ** 31 * 0x1000)))).toEqual([
      'EINVAL',
      'memory_size is above KVM_MEM_MAX_NR_PAGES pages (kvm_set_memory_region)',
    ]);
    expect(put(makeVm(big), region(0, (2 ** 31 - 1) * 0x1000)).ret).toBe(0);
  });

  it('a delete (size 0) is not checked against the user address range (access_ok of 0 bytes)', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2 }]);
    expect(put(vm, region(0, 0, [], { userspaceAddr: hx(2 ** 60) })).ret).toBe(0);
    expect(vm.memslots()).toEqual([]);
  });

  it('a 5-level host allows user addresses up to 2^56 - 4K: LA57 on Intel (5-level EPT) and on AMD (5-level host paging)', () => {
    const high = region(0, MiB2, [], { userspaceAddr: hx(2 ** 50) });
    expect(put(makeVm(), high).errno).toBe('EINVAL');
    expect(put(makeVm({ host: { vendor: 'intel', maxTdpLevel: 5 } }), high).ret).toBe(0);
    expect(put(makeVm({ host: { vendor: 'amd', pagingLevel: 5 } }), high).ret).toBe(0);
    expect(put(makeVm({ host: { vendor: 'amd', pagingLevel: 4, maxTdpLevel: 5 } }), high).errno).toBe('EINVAL');
  });
});
