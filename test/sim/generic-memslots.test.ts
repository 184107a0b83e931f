// The arm64 and s390 engines' slot set: gfn_to_memslot's binary search behind a last-hit
// cache, kvm_check_memslot_overlap's half-open ranges, and insert/remove keeping the
// search's order. Each lookup is held against a linear scan of the same slots.
import { describe, expect, it } from 'vitest';
import type { ArchMemslotFlag, ArchMemslotSpec } from '../../src/sim/arch-types.js';
import { EINVAL } from '../../src/sim/errno.js';
import { ArchMemslotSet, kvmSetMemoryRegionChecks, parseRegion, type ArchMemslot, type RegionChecksArch } from '../../src/sim/generic-memslots.js';
import { Arm64Vm } from '../../src/sim/arm64/vm.js';
import { S390Vm } from '../../src/sim/s390/vm.js';
import { GiB, MiB2, hx, refusal, regionSpec, said } from './helpers.js';

const slot = (id: number, baseGfn: number, npages: number): ArchMemslot => ({
  id,
  baseGfn,
  npages,
  hvaFrame: 0,
  readonly: false,
  guestMemfd: false,
  gmemOffsetFrame: 0,
  logDirtyPages: false,
  backingFrames: 1,
  backingName: '4K',
  hugetlb: false,
  backingWritable: true,
  backingMapped: true,
  hwpoison: new Set(),
});

// Five slots with gaps between some and none between others, inserted out of order.
const SLOTS = [slot(3, 40, 10), slot(1, 0, 8), slot(4, 50, 1), slot(2, 16, 16), slot(5, 100, 28)];
const linear = (slots: readonly ArchMemslot[], gfn: number) => slots.find((s) => gfn >= s.baseGfn && gfn < s.baseGfn + s.npages)?.id;
const edges = SLOTS.flatMap((s) => [s.baseGfn - 1, s.baseGfn, s.baseGfn + s.npages - 1, s.baseGfn + s.npages]).concat([200]);

describe('ArchMemslotSet.lookup (gfn_to_memslot)', () => {
  it('finds the slot of every gfn at and around each slot edge, and none in the gaps, cold', () => {
    for (const gfn of edges) {
      const set = new ArchMemslotSet();
      for (const s of SLOTS) set.insert(s);
      expect(set.lookup(gfn)?.id, `gfn ${gfn}`).toBe(linear(SLOTS, gfn));
    }
  });

  it('gives the same answers after any earlier lookup (the last-hit cache never answers for another slot)', () => {
    const set = new ArchMemslotSet();
    for (const s of SLOTS) set.insert(s);
    for (const before of edges)
      for (const gfn of edges) {
        set.lookup(before);
        expect(set.lookup(gfn)?.id, `gfn ${gfn} after ${before}`).toBe(linear(SLOTS, gfn));
      }
  });

  it('keeps the slots sorted by base whatever the insertion order', () => {
    const set = new ArchMemslotSet();
    for (const s of SLOTS) set.insert(s);
    expect(set.all().map((s) => s.baseGfn)).toEqual([0, 16, 40, 50, 100]);
  });

  it('forgets a removed slot, even the one it hit last, and still finds the others', () => {
    const set = new ArchMemslotSet();
    for (const s of SLOTS) set.insert(s);
    expect(set.lookup(45)?.id).toBe(3);
    set.remove(set.byId(3)!);
    expect(set.lookup(45)).toBeUndefined();
    expect(set.all().map((s) => s.id)).toEqual([1, 2, 4, 5]);
    const rest = SLOTS.filter((s) => s.id !== 3);
    for (const gfn of edges) expect(set.lookup(gfn)?.id, `gfn ${gfn}`).toBe(linear(rest, gfn));
  });

  it('a slot inserted after a hit is found at once (insert drops the cache)', () => {
    const set = new ArchMemslotSet();
    set.insert(slot(1, 0, 8));
    expect(set.lookup(9)).toBeUndefined();
    expect(set.lookup(3)?.id).toBe(1);
    set.insert(slot(2, 8, 8));
    expect(set.lookup(9)?.id).toBe(2);
    expect(set.byId(2)?.baseGfn).toBe(8);
    expect(set.byId(7)).toBeUndefined();
  });
});

describe('ArchMemslotSet.overlaps (kvm_check_memslot_overlap)', () => {
  const set = new ArchMemslotSet();
  for (const s of SLOTS) set.insert(s);
  it('half-open ranges: touching a slot at either end is no overlap, one shared gfn is', () => {
    expect(set.overlaps(9, 8, 16), 'the gap 8-15 exactly').toBe(false);
    expect(set.overlaps(9, 7, 16), 'the last gfn of slot 1').toBe(true);
    expect(set.overlaps(9, 8, 17), 'the first gfn of slot 2').toBe(true);
    expect(set.overlaps(9, 60, 100)).toBe(false);
    expect(set.overlaps(9, 0, 1000)).toBe(true);
  });
  it('a slot does not overlap itself (a move or flags change of the same id)', () => {
    expect(set.overlaps(2, 16, 32)).toBe(false);
    expect(set.overlaps(2, 10, 41), 'but still the others').toBe(true);
  });
});

describe('kvmSetMemoryRegionChecks: the generic checks of kvm_set_memory_region at the host PAGE_SIZE', () => {
  const P4K = 4096;
  const P64K = 65536;
  const ARCH: RegionChecksArch = { hostPage: '4K', internalMemSlots: 0, readonlyMem: true, guestMemfd: true };
  /** The parsed region, or the refusal of the checks for slot `id` of address space `asId`. */
  const check = (spec: Partial<ArchMemslotSpec>, page = P4K, at: { asId?: number; id?: number; arch?: Partial<RegionChecksArch> } = {}) => {
    const p = parseRegion({ guestPhysAddr: '0x0', size: '0x10000', ...spec });
    const arch = { ...ARCH, hostPage: page === P64K ? '64K' : '4K', ...at.arch } as const;
    return kvmSetMemoryRegionChecks(p, at.asId ?? 0, at.id ?? 0, arch) ?? p;
  };
  const reason = (spec: Partial<ArchMemslotSpec>, page = P4K, at: Parameters<typeof check>[2] = {}) => {
    const p = check(spec, page, at);
    return 'r' in p ? [p.r, p.reason] : 'ok';
  };

  it("in the kernel's order: the slot id (kvm_vm_ioctl_set_memory_region), the flags, then alignment, the address space, the wrap", () => {
    const SLOT = 'slot id is not below KVM_USER_MEM_SLOTS (kvm_vm_ioctl_set_memory_region)';
    const badFlags = { flags: ['readonly'] as ArchMemslotFlag[], size: '0x10800' };
    expect(reason(badFlags, P4K, { id: 32767, arch: { readonlyMem: false } })).toEqual([EINVAL, SLOT]);
    expect(reason(badFlags, P4K, { id: 32766, arch: { readonlyMem: false } })).toEqual([
      EINVAL,
      'KVM_MEM_READONLY is not a valid flag here, kvm_arch_has_readonly_mem() or KVM_MEM_GUEST_MEMFD (check_memory_region_flags)',
    ]);
    expect(reason(badFlags, P4K, { id: 32766 })).toEqual([EINVAL, 'memory_size is not PAGE_SIZE aligned (kvm_set_memory_region)']);
    const wraps = { guestPhysAddr: '0xffffffffffff0000' };
    expect(reason(wraps, P4K, { asId: 1 })).toEqual([
      EINVAL,
      'address space id is not below kvm_arch_nr_memslot_as_ids(), which is 1 (kvm_set_memory_region)',
    ]);
    expect(reason(wraps, P4K, { asId: 0 })).toEqual([EINVAL, 'guest_phys_addr + memory_size wraps (kvm_set_memory_region)']);
    expect(reason({}, P4K, { id: 32766 })).toBe('ok');
  });

  it('an unknown or repeated flag is a 400 naming flags, before any errno', () => {
    expect(refusal(() => check({ flags: ['huge' as never] }))).toEqual(['invalid', 'flags', 'unknown memslot flag huge']);
    expect(refusal(() => check({ flags: ['readonly', 'readonly'] }))).toEqual(['invalid', 'flags', 'memslot flags must not repeat']);
    expect(refusal(() => check({ flags: ['readonly', 'log_dirty_pages'] }))).toBe('ok');
  });

  it('each u64 field that does not parse is named', () => {
    for (const field of ['guestPhysAddr', 'size', 'userspaceAddr', 'guestMemfdOffset'] as const) {
      const r = refusal(() => check({ [field]: 'lots' }));
      expect(r === 'ok' ? r : r.slice(0, 2), field).toEqual(['invalid', field]);
    }
  });

  it('size, gpa and hva must be aligned to the host page: 64K on a 64K host, where 4K alignment is not enough', () => {
    expect(reason({ size: '0x11000' }, P64K)).toEqual([EINVAL, 'memory_size is not PAGE_SIZE aligned (kvm_set_memory_region)']);
    expect(reason({ guestPhysAddr: '0x1000' }, P64K)).toEqual([EINVAL, 'guest_phys_addr is not PAGE_SIZE aligned (kvm_set_memory_region)']);
    expect(reason({ userspaceAddr: '0x7f0000001000' }, P64K)).toEqual([EINVAL, 'userspace_addr is not PAGE_SIZE aligned (kvm_set_memory_region)']);
    expect(reason({ size: '0x11000', guestPhysAddr: '0x1000', userspaceAddr: '0x7f0000001000' }, P4K)).toBe('ok');
  });

  it('a guest_memfd offset must be aligned too, and offset + size must not wrap; without guest_memfd it is not checked', () => {
    const gmem = { flags: ['guest_memfd'] as ArchMemslotFlag[] };
    const GMEM = 'guest_memfd_offset is not PAGE_SIZE aligned or offset + size wraps (kvm_set_memory_region)';
    expect(reason({ ...gmem, guestMemfdOffset: '0x800' })).toEqual([EINVAL, GMEM]);
    expect(reason({ ...gmem, guestMemfdOffset: '0xffffffffffff0000' }), 'offset + size = 2^64').toEqual([EINVAL, GMEM]);
    expect(reason({ ...gmem, guestMemfdOffset: '0xfffffffffffe0000' })).toBe('ok');
    expect(reason({ guestMemfdOffset: '0x800' })).toBe('ok');
  });

  it('gpa + size must stay below 2^64: a sum of exactly 2^64 wraps to 0 in u64 (gpa + size < gpa)', () => {
    expect(reason({ guestPhysAddr: '0xfffffffffffe0000' })).toBe('ok');
    expect(reason({ guestPhysAddr: '0xffffffffffff0000' })).toEqual([EINVAL, 'guest_phys_addr + memory_size wraps (kvm_set_memory_region)']);
  });

  it('at most KVM_MEM_MAX_NR_PAGES = 2^31 - 1 host pages', () => {
    expect(reason({ size: hx((2 ** 31 - 1) * P4K) })).toBe('ok');
    expect(reason({ size: hx(2 ** 31 * P4K) })).toEqual([EINVAL, 'memory_size is above KVM_MEM_MAX_NR_PAGES pages (kvm_set_memory_region)']);
    expect(reason({ size: hx(2 ** 31 * P4K) }, P64K), 'the same bytes are fewer 64K pages').toBe('ok');
  });

  it('the parsed region: the default hva is 1 TiB plus the gpa modulo 1 TiB', () => {
    expect(check({ guestPhysAddr: hx(2 ** 41 + 0x200000), flags: ['readonly'] })).toEqual({
      gpa: BigInt(2 ** 41 + 0x200000),
      size: 0x10000n,
      hva: BigInt(2 ** 40 + 0x200000),
      gmemOffset: 0n,
      flags: ['readonly'],
    });
  });
});

describe('newArchMemslot: backing.hwpoison addresses are host pages inside the slot', () => {
  // A 64K-granule arm64 host: its host page is 16 frames.
  const vm = () => new Arm64Vm({ name: 'x', host: { granule: '64K' } });
  const poison = (addrs: number[]) =>
    refusal(() => vm().setMemslot(0, 0, { guestPhysAddr: hx(GiB), size: hx(MiB2), backing: { pageSize: '64K', hwpoison: addrs.map(hx) } }));
  const REFUSED = ['invalid', 'backing.hwpoison', 'backing.hwpoison addresses must be host-page aligned and inside the memslot'];

  it("the slot's first and last host pages", () => {
    expect(poison([GiB, GiB + MiB2 - 0x10000])).toBe('ok');
  });
  it('a 4K-aligned address inside a 64K page, the page before the slot, the page after it', () => {
    for (const a of [GiB + 0x1000, GiB - 0x10000, GiB + MiB2]) expect(poison([a]), hx(a)).toEqual(REFUSED);
  });
  it('only with host-page backing and without guest_memfd', () => {
    const NEEDS = ['invalid', 'backing.hwpoison', 'backing.hwpoison needs pageSize equal to the host page size, on a slot without guest_memfd'];
    const spec = (backing: Record<string, unknown>, flags: ArchMemslotFlag[] = []) => ({
      ...regionSpec(GiB, MiB2, flags),
      backing: { hwpoison: [hx(GiB)], ...backing },
    });
    expect(refusal(() => new Arm64Vm({ name: '4k-host' }).setMemslot(0, 0, spec({ pageSize: '2M' })))).toEqual(NEEDS);
    expect(refusal(() => vm().setMemslot(0, 0, spec({ pageSize: '64K' }, ['guest_memfd'])))).toEqual(NEEDS);
  });
  it('the slot view lists them sorted, whatever the order given', () => {
    const r = vm().setMemslot(0, 0, {
      ...regionSpec(GiB, MiB2),
      backing: { pageSize: '64K', hwpoison: [hx(GiB + 0x30000), hx(GiB), hx(GiB + 0x100000)] },
    });
    expect(r.memslot?.backing.hwpoison).toEqual([hx(GiB), hx(GiB + 0x30000), hx(GiB + 0x100000)]);
  });
  it('an address that is not a u64 names the field', () => {
    const r = refusal(() => vm().setMemslot(0, 0, { guestPhysAddr: hx(GiB), size: hx(MiB2), backing: { pageSize: '64K', hwpoison: ['x'] } }));
    expect(r === 'ok' ? r : r[1]).toBe('backing.hwpoison');
  });
});

describe('kvmSetMemoryRegion: each refusal has its errno and its reason', () => {
  const region = (gpa: number, size: number, flags: ArchMemslotFlag[] = [], extra: Partial<ArchMemslotSpec> = {}): ArchMemslotSpec =>
    regionSpec(gpa, size, flags, extra);
  const arm = () => {
    const vm = new Arm64Vm({ name: 'x' });
    expect(vm.setMemslot(0, 0, region(GiB, MiB2)).ret).toBe(0);
    expect(vm.setMemslot(0, 1, region(2 * GiB, MiB2, ['guest_memfd'])).ret).toBe(0);
    return vm;
  };
  const EXISTING = 'an existing memslot cannot change userspace_addr, memory_size or KVM_MEM_READONLY (kvm_set_memory_region)';
  const OVERLAP = 'the range overlaps another memslot of the address space (kvm_check_memslot_overlap, kvm_set_memory_region)';

  it.each([
    [
      'guest_memfd with dirty logging',
      5,
      region(3 * GiB, MiB2, ['guest_memfd', 'log_dirty_pages']),
      'EINVAL',
      'KVM_MEM_LOG_DIRTY_PAGES is not a valid flag together with KVM_MEM_GUEST_MEMFD (check_memory_region_flags)',
    ],
    [
      'read-only guest_memfd',
      5,
      region(3 * GiB, MiB2, ['readonly', 'guest_memfd']),
      'EINVAL',
      'KVM_MEM_READONLY is not a valid flag here, kvm_arch_has_readonly_mem() or KVM_MEM_GUEST_MEMFD (check_memory_region_flags)',
    ],
    ['a delete of no slot', 5, region(3 * GiB, 0), 'EINVAL', 'no memslot with this id to delete (kvm_set_memory_region)'],
    ['a new size', 0, region(GiB, 2 * MiB2), 'EINVAL', EXISTING],
    ['a new hva', 0, region(GiB, MiB2, [], { userspaceAddr: hx(2 ** 42) }), 'EINVAL', EXISTING],
    ['read-only in place', 0, region(GiB, MiB2, ['readonly']), 'EINVAL', EXISTING],
    [
      'guest_memfd in place',
      0,
      region(GiB, MiB2, ['guest_memfd']),
      'EINVAL',
      'KVM_MEM_GUEST_MEMFD cannot change on an existing memslot (kvm_set_memory_region)',
    ],
    [
      'a guest_memfd slot moved',
      1,
      region(3 * GiB, MiB2, ['guest_memfd'], { userspaceAddr: hx(2 ** 40 + 2 * GiB) }),
      'EINVAL',
      'a KVM_MEM_GUEST_MEMFD memslot cannot be moved (kvm_set_memory_region)',
    ],
    ['a move onto another slot', 0, region(2 * GiB, MiB2, [], { userspaceAddr: hx(2 ** 40 + GiB) }), 'EEXIST', OVERLAP],
    ['a new slot over another', 5, region(GiB + 0x10000, MiB2), 'EEXIST', OVERLAP],
  ] as const)('arm64: %s', (_what, id, spec, errno, reason) => {
    expect(said(arm().setMemslot(0, id, spec))).toEqual([errno, reason]);
  });

  it('arm64: a region ending at exactly 2^64 is the wrap EINVAL, not the IPA range EFAULT', () => {
    expect(said(arm().setMemslot(0, 5, region(0, MiB2, [], { guestPhysAddr: '0xffffffffffe00000', userspaceAddr: hx(2 ** 40) })))).toEqual([
      'EINVAL',
      'guest_phys_addr + memory_size wraps (kvm_set_memory_region)',
    ]);
  });

  it('slot ids below KVM_USER_MEM_SLOTS: SHRT_MAX on arm64, one less on s390 (its internal UCONTROL slot)', () => {
    const SLOT = 'slot id is not below KVM_USER_MEM_SLOTS (kvm_vm_ioctl_set_memory_region)';
    expect(arm().setMemslot(0, 32766, region(3 * GiB, MiB2)).ret).toBe(0);
    expect(said(arm().setMemslot(0, 32767, region(3 * GiB, MiB2)))).toEqual(['EINVAL', SLOT]);
    expect(said(arm().setMemslot(0, 65535, region(3 * GiB, MiB2)))).toEqual(['EINVAL', SLOT]);
    expect(new S390Vm({ name: 'x' }).setMemslot(0, 32765, region(0, 0x100000)).ret).toBe(0);
    expect(said(new S390Vm({ name: 'x' }).setMemslot(0, 32766, region(0, 0x100000)))).toEqual(['EINVAL', SLOT]);
  });

  it('arm64: only address space 0', () => {
    expect(said(arm().setMemslot(1, 5, region(3 * GiB, MiB2)))).toEqual([
      'EINVAL',
      'address space id is not below kvm_arch_nr_memslot_as_ids(), which is 1 (kvm_set_memory_region)',
    ]);
  });

  it('s390: no guest_memfd, no read-only memory', () => {
    const vm = new S390Vm({ name: 'x' });
    expect(said(vm.setMemslot(0, 0, region(0, 0x100000, ['guest_memfd'])))).toEqual([
      'EINVAL',
      'KVM_MEM_GUEST_MEMFD is not a valid flag on this architecture (check_memory_region_flags)',
    ]);
    expect(said(vm.setMemslot(0, 0, region(0, 0x100000, ['readonly'])))).toEqual([
      'EINVAL',
      'KVM_MEM_READONLY is not a valid flag here, kvm_arch_has_readonly_mem() or KVM_MEM_GUEST_MEMFD (check_memory_region_flags)',
    ]);
  });

  it('arm64: a flags-only change turns dirty logging on and off and keeps the slot; the view lists flags in one order', () => {
    const vm = arm();
    const on = vm.setMemslot(0, 0, region(GiB, MiB2, ['log_dirty_pages']));
    expect([on.ret, on.memslot?.flags]).toEqual([0, ['log_dirty_pages']]);
    expect(vm.setMemslot(0, 0, region(GiB, MiB2)).memslot?.flags).toEqual([]);
    const ro = vm.setMemslot(0, 7, region(4 * GiB, MiB2, ['log_dirty_pages', 'readonly']));
    expect(ro.memslot?.flags).toEqual(['readonly', 'log_dirty_pages']);
    expect(vm.memslots().find((m) => m.slot === 1)?.flags).toEqual(['guest_memfd']);
    expect(vm.memslots().map((s) => s.slot)).toEqual([0, 1, 7]);
  });
});
