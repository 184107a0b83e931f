// The host side of a TDP fault (mmu.c:kvm_mmu_faultin_pfn, kvm_handle_noslot_fault,
// kvm_mmu_faultin_pfn_gmem; kvm_main.c:hva_to_pfn) and the mmu_notifier zap a CoW break
// sends back into KVM (kvm_mmu_notifier_invalidate_range_start -> kvm_unmap_gfn_range).
import { describe, expect, it } from 'vitest';
import { GiB, access, hx, makeVm, patchVcpu, prefault, rows } from './helpers.js';

const P = 0x1000;
const leaves = (vm: ReturnType<typeof makeVm>, rootId?: string): string[] => rows(vm, rootId).map((m) => `${m.gpa} x${m.count} w=${m.writable}`);

describe('hva_to_pfn on a read-only slot (KVM_PFN_ERR_RO_FAULT)', () => {
  it('a guest write is not mapped: kvm_handle_error_pfn answers RET_PF_EMULATE, an MMIO exit', () => {
    const vm = makeVm({}, [{ gpa: 0, size: 0x200000, flags: ['readonly'] }]);
    const w = access(vm, 0x3000, 'write');
    expect({ exit: w.exit, mapped: w.mapped }).toEqual({ exit: 'KVM_EXIT_MMIO', mapped: [] });
    const r = access(vm, 0x3000, 'read');
    expect({ exit: r.exit, writable: r.mapped.map((m) => m.writable) }).toEqual({ exit: null, writable: [false] });
  });
});

describe('a CoW break zaps the old host page once, in its own slot and address space only', () => {
  // Untouched THP memory (2M host pages, not yet written) whose hva sits one 4K page past a
  // 2M boundary: host page 0 holds the slot's first 511 guest pages and the page before the
  // slot's start in the host's view; lpage is disallowed, so every leaf is 4K.
  const HVA = 0x7f0000001000;
  const cow = { gpa: GiB, size: 0x400000, backing: { pageSize: '2M' as const, writable: false }, userspaceAddr: hx(HVA) };

  it('a second write on an already broken host page zaps nothing (the host page is written once)', () => {
    const vm = makeVm({}, [cow]);
    expect(access(vm, GiB + 2 * P, 'write').ret).toBe(0);
    expect(access(vm, GiB + 3 * P, 'write').ret).toBe(0);
    expect(leaves(vm)).toEqual([`${hx(GiB + 2 * P)} x2 w=true`]);
  });

  it("the zap stops at the slot's start: the slot below keeps its leaf next to the host page", () => {
    const below = { gpa: GiB - 0x200000, size: 0x200000, userspaceAddr: hx(0x7e0000000000) };
    const vm = makeVm({}, [below, { ...cow, slot: 1 }]);
    prefault(vm, GiB - P, P);
    expect(access(vm, GiB, 'write').ret).toBe(0);
    expect(leaves(vm)).toEqual([`${hx(GiB - P)} x1 w=true`, `${hx(GiB)} x1 w=true`]);
  });

  it("the SMM root's leaves at the same gfns stay: kvm_unmap_gfn_range zaps the slot's own address space", () => {
    const smram = { as: 1, slot: 0, gpa: GiB, size: 0x400000, userspaceAddr: hx(0x7d0000000000) };
    const vm = makeVm({}, [cow, smram], [{ id: 0, smm: true }]);
    expect(prefault(vm, GiB, 4 * P).errno).toBeNull();
    patchVcpu(vm, 0, { smm: false });
    expect(access(vm, GiB + P, 'write').ret).toBe(0);
    const smmRoot = vm.roots().find((r) => r.smm)!;
    expect(leaves(vm, smmRoot.id)).toEqual([`${hx(GiB)} x4 w=true`]);
  });
});

describe('kvm_handle_noslot_fault: MMIO SPTEs up to the largest gfn the host can address', () => {
  it('the last gfn below 2^maxPhysAddr still gets an MMIO SPTE (only gfn > kvm_mmu_max_gfn() is emulated uncached)', () => {
    const maxPhysAddr = 46;
    const last = 2 ** maxPhysAddr - P;
    const vm = makeVm({ host: { maxPhysAddr, mmioCaching: true } }, [{ gpa: 0, size: 0x200000 }], [{ id: 0, maxPhysAddr }]);
    const a = access(vm, last, 'read');
    expect({ exit: a.exit, mapped: a.mapped.map((m) => [m.gpa, m.kind]) }).toEqual({ exit: 'KVM_EXIT_MMIO', mapped: [[hx(last), 'mmio']] });
  });
});

describe('kvm_mmu_faultin_pfn_gmem: a private gfn maps the guest_memfd page at its offset', () => {
  it('the pfn follows the slot offset into the file plus the gfn offset into the slot', () => {
    const pfnOf = (gpa: number, size: number, offset: number, at: number): number => {
      const vm = makeVm({ type: 'sw_protected' }, [{ gpa, size, flags: ['guest_memfd'], guestMemfdOffset: hx(offset) }]);
      expect(vm.apply({ op: 'set_memory_attributes', address: hx(gpa), size: hx(size), private: true })).toMatchObject({ ret: 0 });
      const m = prefault(vm, at, P).mapped;
      expect(m.map((r) => r.private)).toEqual([true]);
      return Number(BigInt(m[0]!.hostPfn!));
    };
    const base = pfnOf(GiB, 0x200000, 0, GiB);
    expect(pfnOf(GiB, 0x200000, 0, GiB + 5 * P) - base, 'five pages into the slot').toBe(5);
    expect(pfnOf(GiB, 0x200000, 16 * P, GiB) - base, 'sixteen pages into the file').toBe(16);
    expect(pfnOf(2 * GiB, 0x200000, 0, 2 * GiB + 5 * P) - base, 'the slot base is not part of the file offset').toBe(5);
  });
});

describe('a read fault on untouched memory maps the zero page, and the rows say so once per run', () => {
  it('4K backing: every gfn maps the one shared zero page; the run is one row', () => {
    const vm = makeVm({}, [{ gpa: 0, size: 0x200000, backing: { pageSize: '4K', writable: false } }]);
    const r = prefault(vm, 0, 8 * P);
    expect(r.mapped.map((m) => [m.gpa, m.count, m.writable])).toEqual([[hx(0), 8, false]]);
    expect(rows(vm).map((m) => [m.gpa, m.count, m.hostPfn])).toEqual([[hx(0), 8, r.mapped[0]!.hostPfn]]);
  });
  it('THP backing: 2M leaves on the huge zero page; two of them are one row', () => {
    const vm = makeVm({}, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M', writable: false }, userspaceAddr: hx(0x7f0000000000) }]);
    const r = prefault(vm, 0, 0x400000);
    expect(r.mapped.map((m) => [m.gpa, m.level, m.count])).toEqual([[hx(0), '2M', 2]]);
    expect(rows(vm).map((m) => [m.level, m.count])).toEqual([['2M', 2]]);
  });
  it('a real frame after zero-page leaves starts a new row', () => {
    const vm = makeVm({}, [{ gpa: 0, size: 0x200000, backing: { pageSize: '4K', writable: false } }]);
    prefault(vm, 0, 4 * P);
    expect(access(vm, 4 * P, 'write').ret).toBe(0);
    expect(rows(vm).map((m) => [m.gpa, m.count, m.writable])).toEqual([
      [hx(0), 4, false],
      [hx(4 * P), 1, true],
    ]);
  });
});
