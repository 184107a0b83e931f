// Goal level of a fault (mmu.c:kvm_mmu_hugepage_adjust, kvm_mmu_max_mapping_level,
// x86.c:kvm_alloc_memslot_metadata) and consumption per iteration (spec §3.6, §5.4 table).
import { describe, expect, it } from 'vitest';
import type { LevelName } from '../../src/sim/index.js';
import { GiB, MiB2, access, hx, makeVm, prefault, rows, setSlot, trace } from './helpers.js';

const slot = (gpa: number, size: number, pageSize: LevelName, extra: Record<string, unknown> = {}) => ({
  gpa,
  size,
  backing: { pageSize },
  ...extra,
});
const leaves = (vm: ReturnType<typeof makeVm>): string[] => rows(vm).map((m) => `${m.gpa} ${m.level} x${m.count}`);

describe('spec §5.4 worked examples', () => {
  it('aligned THP slot: 2 x 2M', () => {
    const vm = makeVm({}, [slot(0x40000000, 0x400000, '2M')]);
    expect(trace(prefault(vm, 0x40000000, 0x400000))).toEqual(['0x40000000 FIXED 2M 0x200000 x2']);
  });
  it('entering a 2M page 1M in consumes 1M; the mapping is wider than the request', () => {
    const vm = makeVm({}, [slot(0x40000000, 0x400000, '2M')]);
    // Two iterations of 1M each; identical and contiguous, so they merge into one row.
    expect(trace(prefault(vm, 0x40100000, MiB2))).toEqual(['0x40100000 FIXED 2M 0x100000 x2']);
    expect(leaves(vm)).toEqual(['0x40000000 2M x2']);
  });
  it('misaligned base: head and tail 2M pages are disallowed', () => {
    const vm = makeVm({}, [slot(0x100000, 0x400000, '2M', { userspaceAddr: hx(0x7f0000100000) })]);
    expect(trace(prefault(vm, 0x100000, 0x400000))).toEqual([
      '0x100000 FIXED 4K 0x1000 x256',
      '0x200000 FIXED 2M 0x200000 x1',
      '0x400000 FIXED 4K 0x1000 x256',
    ]);
  });
  it('hva not congruent with the gpa: everything 4K', () => {
    const vm = makeVm({}, [slot(0x40000000, 0x400000, '2M', { userspaceAddr: hx(0x7f0000001000) })]);
    expect(trace(prefault(vm, 0x40000000, 0x400000))).toEqual(['0x40000000 FIXED 4K 0x1000 x1024']);
  });
  it('a slot smaller than 2M: the tail page is disallowed', () => {
    const vm = makeVm({}, [slot(0x200000, 0x100000, '2M')]);
    expect(trace(prefault(vm, 0x200000, 0x100000))).toEqual(['0x200000 FIXED 4K 0x1000 x256']);
  });
  it('hugetlb 1G: 2 x 1G; with a 2M host maximum, 512 x 2M', () => {
    const vm = makeVm({}, [slot(GiB, 2 * GiB, '1G')]);
    expect(trace(prefault(vm, GiB, 2 * GiB))).toEqual(['0x40000000 FIXED 1G 0x40000000 x2']);
    const vm2 = makeVm({ host: { maxHugePageLevel: '2M' } }, [slot(GiB, 2 * GiB, '1G')]);
    expect(trace(prefault(vm2, GiB, GiB))).toEqual(['0x40000000 FIXED 2M 0x200000 x512']);
  });
  it('dirty logging forces 4K', () => {
    const vm = makeVm({}, [slot(0x40000000, 0x400000, '2M', { flags: ['log_dirty_pages'] })]);
    expect(trace(prefault(vm, 0x40000000, MiB2))).toEqual(['0x40000000 FIXED 4K 0x1000 x512']);
  });
  it('a slot 2M- but not 1G-aligned: the head 1G page is disallowed, 2M remains', () => {
    const vm = makeVm({}, [slot(0x40200000, 2 * GiB, '1G')]);
    expect(trace(prefault(vm, 0x40200000, MiB2))).toEqual(['0x40200000 FIXED 2M 0x200000 x1']);
  });
  it('untouched THP memory maps the 2M huge zero page read-only', () => {
    const vm = makeVm({}, [slot(GiB, 0x400000, '2M', { backing: { pageSize: '2M', writable: false } })]);
    const r = prefault(vm, GiB, 0x400000);
    expect(trace(r)).toEqual(['0x40000000 FIXED 2M 0x200000 x2']);
    expect(r.mapped).toEqual([expect.objectContaining({ count: 2, writable: false, dirty: false, hostPfn: '0x3fe00' })]);
  });
  it('untouched hugetlbfs 1G memory has no zero page: a read-only 1G leaf with its own pfn', () => {
    const vm = makeVm({}, [slot(GiB, GiB, '1G', { backing: { pageSize: '1G', writable: false }, userspaceAddr: '0x7f0040000000' })]);
    const r = prefault(vm, GiB, MiB2);
    expect(trace(r)).toEqual(['0x40000000 FIXED 1G 0x200000 x1']); // consumption stops at the request's end
    expect(r.mapped[0]).toMatchObject({ writable: false, dirty: false, hostPfn: '0x7f0040000' });
  });
});

describe('the NX huge page mitigation refuses huge pages to exec faults only (kvm_mmu_do_page_fault: huge_page_disallowed)', () => {
  it('a pre-fault, a read, still maps 2M leaves, on every fault of the call', () => {
    const vm = makeVm({ host: { nxHugePages: true } }, [slot(0, 3 * MiB2, '2M')]);
    expect(trace(prefault(vm, 0, 3 * MiB2))).toEqual(['0x0 FIXED 2M 0x200000 x3']);
    expect(leaves(vm)).toEqual(['0x0 2M x3']);
  });
});

describe('private memory and attributes (spec §3.7, §5.2)', () => {
  it('private guest_memfd memory is always 4K; shared memory in the same slot may be huge', () => {
    const vm = makeVm({ type: 'sw_protected' }, [slot(0, 0x400000, '2M', { flags: ['guest_memfd'] })]);
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: hx(MiB2), private: true });
    expect(trace(prefault(vm, 0, 0x400000))).toEqual(['0x0 FIXED 4K 0x1000 x512', '0x200000 FIXED 2M 0x200000 x1']);
    expect(rows(vm).map((m) => [m.private, m.level])).toEqual([
      [true, '4K'],
      [false, '2M'],
    ]);
  });
  it('mixed attributes inside a huge page disallow it (KVM_LPAGE_MIXED_FLAG)', () => {
    const vm = makeVm({ type: 'sw_protected' }, [slot(0, 0x400000, '2M', { flags: ['guest_memfd'] })]);
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: true });
    expect(trace(prefault(vm, 0x100000, 0x1000))).toEqual(['0x100000 FIXED 4K 0x1000 x1']);
  });
  it('an attribute change zaps the range in every root', () => {
    const vm = makeVm({ type: 'sw_protected' }, [slot(0, 0x400000, '2M', { flags: ['guest_memfd'] })]);
    prefault(vm, 0, 0x400000);
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: true });
    expect(leaves(vm)).toEqual(['0x200000 2M x1']);
  });
  it('setting attributes a range already has changes nothing (kvm_vm_set_mem_attributes)', () => {
    const vm = makeVm({ type: 'sw_protected' }, [slot(0, 0x400000, '2M', { flags: ['guest_memfd'] })]);
    prefault(vm, 0, 0x400000);
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: hx(MiB2), private: false });
    expect(leaves(vm)).toEqual(['0x0 2M x2']);
  });
});

describe('dirty logging transitions (x86.c:kvm_mmu_slot_apply_flags)', () => {
  it('turning logging on splits huge leaves eagerly and, with PML, clears D on the 4K leaves', () => {
    const vm = makeVm({}, [slot(0, 0x400000, '2M')]);
    prefault(vm, 0, 0x400000);
    setSlot(vm, { gpa: 0, size: 0x400000, backing: { pageSize: '2M' }, flags: ['log_dirty_pages'], userspaceAddr: hx(2 ** 40) }, 0);
    expect(rows(vm).map((m) => `${m.level} x${m.count} w=${m.writable} d=${m.dirty}`)).toEqual(['4K x1024 w=true d=false']);
  });
  it('without eager split the huge leaves stay and lose W', () => {
    const vm = makeVm({ host: { eagerPageSplit: false } }, [slot(0, 0x400000, '2M')]);
    prefault(vm, 0, 0x400000);
    setSlot(vm, { gpa: 0, size: 0x400000, backing: { pageSize: '2M' }, flags: ['log_dirty_pages'], userspaceAddr: hx(2 ** 40) }, 0);
    expect(rows(vm).map((m) => `${m.level} x${m.count} w=${m.writable}`)).toEqual(['2M x2 w=false']);
  });
  it('turning logging off rebuilds huge leaves in place (6.13+, kvm_mmu_recover_huge_pages) or zaps (older)', () => {
    for (const [kernel, expected] of [
      ['6.18', ['0x0 2M x2']],
      ['6.12', []],
    ] as const) {
      const vm = makeVm({ kernel }, [slot(0, 0x400000, '2M', { flags: ['log_dirty_pages'] })]);
      prefault(vm, 0, 0x400000);
      setSlot(vm, { gpa: 0, size: 0x400000, backing: { pageSize: '2M' }, flags: [], userspaceAddr: hx(2 ** 40) }, 0);
      expect(leaves(vm), kernel).toEqual(expected);
    }
  });
});

describe('pre-fault over an existing entry (tdp_mmu_map_handle_target_level, spec §6.3)', () => {
  // A sw_protected VM zaps only leaves on slot delete, leaving a 4K table under a 2M entry.
  const leftTable = (kernel: '6.15' | '6.16') => {
    const vm = makeVm({ type: 'sw_protected', kernel }, [slot(0, 0x400000, '4K')]);
    prefault(vm, 0, 0x1000);
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 0 });
    setSlot(vm, slot(0, 0x400000, '2M'), 0);
    return vm;
  };
  it('6.16+: a huge leaf replaces the table left by a leaf-only zap', () => {
    const vm = leftTable('6.16');
    expect(trace(prefault(vm, 0, MiB2))).toEqual(['0x0 FIXED 2M 0x200000 x1']);
    expect(leaves(vm)).toEqual(['0x0 2M x1']);
  });
  it('before 6.16 the present non-leaf entry makes the prefault SPURIOUS and nothing is installed', () => {
    const vm = leftTable('6.15');
    expect(trace(prefault(vm, 0, MiB2))).toEqual(['0x0 SPURIOUS 2M 0x200000 x1']);
    expect(leaves(vm)).toEqual([]);
  });
});

describe('copy-on-write per host page (hva_to_pfn with FOLL_WRITE; the mmu_notifier zaps the old mapping)', () => {
  // Untouched THP memory whose hva is not 2M-aligned with the gpa (lpage disallowed: 4K
  // leaves): guest page k sits in host frame hva + k, so host page 0 holds guest pages 0-510
  // and host page 1 begins at guest page 511.
  const HVA = 0x7f0000001000;
  const slotSpec = slot(GiB, 0x400000, '2M', { backing: { pageSize: '2M', writable: false }, userspaceAddr: hx(HVA) });
  it("a guest write breaks CoW for its whole host page: that page's zero-page leaves go, the next host page keeps its own", () => {
    const vm = makeVm({}, [slotSpec]);
    prefault(vm, GiB, 0x8000);
    prefault(vm, GiB + 511 * 0x1000, 0x1000);
    expect(rows(vm).map((m) => `${m.gpa} x${m.count} w=${m.writable}`)).toEqual([`${hx(GiB)} x8 w=false`, `${hx(GiB + 511 * 0x1000)} x1 w=false`]);
    expect(access(vm, GiB + 0x2000, 'write').ret).toBe(0);
    expect(rows(vm).map((m) => `${m.gpa} x${m.count} w=${m.writable} ${m.hostPfn}`)).toEqual([
      `${hx(GiB + 0x2000)} x1 w=true ${hx(HVA / 0x1000 + 2)}`,
      `${hx(GiB + 511 * 0x1000)} x1 w=false ${hx(0x3fe00 + ((HVA / 0x1000 + 511) % 512))}`,
    ]);
    // The rest of host page 0 now maps its own frames, writable.
    expect(prefault(vm, GiB, 0x1000).mapped[0]).toMatchObject({ writable: true, hostPfn: hx(HVA / 0x1000) });
  });
});
