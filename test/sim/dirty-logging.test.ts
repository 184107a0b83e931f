// Dirty logging turned on and off on a slot (x86.c:kvm_mmu_slot_apply_flags), per MMU:
// the TDP MMU (tdp_mmu.c) and the legacy MMU (tdpMmu: false, mmu.c's rmap walks).
import { describe, expect, it } from 'vitest';
import type { KernelVersion, HostConfig, Vm } from '../../src/sim/index.js';
import { KERNEL_VERSIONS } from '../../src/sim/index.js';
import { MiB2, hx, makeVm, prefault, rows, setSlot } from './helpers.js';

const SIZE = 2 * MiB2;
const HVA = 2 ** 40;
const slotWith = (flags: string[]) => ({ gpa: 0, size: SIZE, backing: { pageSize: '2M' as const }, userspaceAddr: hx(HVA), flags });
const logging = (vm: Vm, on: boolean): void => {
  expect(setSlot(vm, slotWith(on ? ['log_dirty_pages'] : []) as never, 0).ret).toBe(0);
};
const leafBits = (vm: Vm): string[] => rows(vm).map((m) => `${m.gpa} ${m.level} x${m.count} w=${m.writable} d=${m.dirty}`);
const tables = (vm: Vm): number => vm.roots()[0]!.counts.tables;

/** Two 2M leaves mapped by a pre-fault (W=1, D=1), then logging turned on. */
function loggedHuge(host: Partial<HostConfig>, kernel: KernelVersion = '6.18'): Vm {
  const vm = makeVm({ kernel, host }, [slotWith([]) as never]);
  prefault(vm, 0, SIZE);
  expect(leafBits(vm)).toEqual(['0x0 2M x2 w=true d=true']);
  logging(vm, true);
  return vm;
}

describe('logging on with PML and no eager split (mmu.c:kvm_mmu_slot_leaf_clear_dirty)', () => {
  it('TDP MMU: clear_dirty_gfn_range visits every leaf level, so the unsplit 2M leaves end W=0 and D=0', () => {
    for (const kernel of KERNEL_VERSIONS)
      expect(leafBits(loggedHuge({ eagerPageSplit: false }, kernel)), kernel).toEqual(['0x0 2M x2 w=false d=false']);
  });
  it('legacy MMU: the rmap walk clears D on 4K leaves only; the 2M leaves are only write-protected', () => {
    expect(leafBits(loggedHuge({ eagerPageSplit: false, tdpMmu: false }))).toEqual(['0x0 2M x2 w=false d=true']);
  });
  it('legacy MMU: __rmap_clear_dirty clears D on the 4K leaves, which keep W (write protection starts at 2M)', () => {
    const vm = makeVm({ host: { tdpMmu: false } }, [{ gpa: 0, size: SIZE, userspaceAddr: hx(HVA), backing: { pageSize: '4K' } }]);
    prefault(vm, 0, 0x4000);
    expect(leafBits(vm)).toEqual(['0x0 4K x8 w=true d=true']);
    expect(setSlot(vm, { gpa: 0, size: SIZE, userspaceAddr: hx(HVA), backing: { pageSize: '4K' }, flags: ['log_dirty_pages'] }, 0).ret).toBe(0);
    expect(leafBits(vm)).toEqual(['0x0 4K x8 w=true d=false']);
  });
  it('only leaves lose D and W: the table entries above them keep every bit (clear_dirty_gfn_range, wrprot_gfn_range)', () => {
    const vm = makeVm({ host: { eagerPageSplit: false } }, [slotWith([]) as never]);
    prefault(vm, 0, SIZE);
    const root = vm.roots()[0]!.id;
    const tableSptes = () =>
      vm
        .walk(root, 0n)
        .steps.filter((s) => !s.leaf)
        .map((s) => s.spte);
    const before = tableSptes();
    expect(before).toHaveLength(2); // PML4 and PDPT entries above the 2M leaf
    logging(vm, true);
    expect(tableSptes()).toEqual(before);
  });
  it('a TD has no PML (fbb4adadea55: cpu_dirty_log_size is not set for TDs): its shared leaves are write-protected from 4K', () => {
    const vm = makeVm({ type: 'tdx' }, [slotWith([]) as never]);
    vm.apply({ op: 'finalize' });
    prefault(vm, 0, SIZE);
    logging(vm, true);
    const direct = vm.roots().find((r) => !r.mirror)!;
    expect(rows(vm, direct.id).map((m) => `${m.level} x${m.count} w=${m.writable} d=${m.dirty}`)).toEqual(['4K x1024 w=false d=true']);
  });
  it('a stale MMIO SPTE in a new slot is no present leaf: logging on leaves it as it is (wrprot_gfn_range, clear_dirty_gfn_range)', () => {
    for (const vendor of ['intel', 'amd'] as const) {
      const vm = makeVm({ host: { vendor } }, []);
      expect(prefault(vm, 0x1000, 0x1000).errno).toBe('ENOENT');
      expect(setSlot(vm, slotWith([]) as never, 0).ret).toBe(0);
      logging(vm, true);
      expect(
        rows(vm).map((m) => `${m.gpa} ${m.kind}`),
        vendor,
      ).toEqual(['0x1000 mmio']);
    }
  });
  it('without PML (AMD NPT) every leaf loses W and D is not touched', () => {
    expect(leafBits(loggedHuge({ eagerPageSplit: false, vendor: 'amd' }))).toEqual(['0x0 2M x2 w=false d=true']);
  });
});

describe('eager page split (mmu.c:kvm_mmu_slot_try_split_huge_pages)', () => {
  it('TDP MMU: huge leaves become 4K leaves, D cleared by PML, W kept', () => {
    expect(leafBits(loggedHuge({}))).toEqual(['0x0 4K x1024 w=true d=false']);
  });
  it('legacy MMU: it returns at once without the TDP MMU, so one write-protected 2M leaf per page stays', () => {
    const vm = loggedHuge({ tdpMmu: false });
    expect(leafBits(vm)).toEqual(['0x0 2M x2 w=false d=true']);
    expect(vm.roots()[0]!.counts).toMatchObject({ '4K': 0, '2M': 2 });
  });
});

describe('logging off (mmu.c:kvm_mmu_recover_huge_pages)', () => {
  /** 4K leaves over the whole slot while logging, then logging off. */
  function unlogged(tdpMmu: boolean, kernel: KernelVersion): Vm {
    const vm = makeVm({ kernel, host: { tdpMmu } }, [slotWith(['log_dirty_pages']) as never]);
    const r = prefault(vm, 0, SIZE);
    expect(r.ret).toBe(0);
    expect(rows(vm).map((m) => `${m.level} x${m.count}`)).toEqual(['4K x1024']);
    logging(vm, false);
    return vm;
  }
  it('TDP MMU, 6.13+: huge leaves recovered in place (kvm_tdp_mmu_recover_huge_pages)', () => {
    for (const kernel of ['6.13', '6.16', '6.18'] as const)
      expect(
        rows(unlogged(true, kernel)).map((m) => `${m.level} x${m.count}`),
        kernel,
      ).toEqual(['2M x2']);
  });
  it('legacy MMU, every version: kvm_rmap_zap_collapsible_sptes zaps the 4K leaves, installs nothing, the tables stay', () => {
    for (const kernel of KERNEL_VERSIONS) {
      const vm = unlogged(false, kernel);
      expect(rows(vm), kernel).toEqual([]);
      // The root, PDPT and PD tables and the two 4K tables: only leaves left the tree.
      expect(vm.roots()[0]!.counts, kernel).toMatchObject({ '4K': 0, '2M': 0, tables: 5 });
    }
  });
  it('TDP MMU, 6.13+: make_huge_spte makes the recovered leaf non-executable when NX huge pages are on', () => {
    const exec = (nxHugePages: boolean) => {
      const vm = makeVm({ host: { nxHugePages } }, [slotWith(['log_dirty_pages']) as never]);
      prefault(vm, 0, SIZE);
      logging(vm, false);
      return rows(vm).map((m) => `${m.level} x${m.count} x=${m.executable}`);
    };
    expect([exec(false), exec(true)]).toEqual([['2M x2 x=true'], ['2M x2 x=false']]);
  });
  it('legacy MMU with a 1G backing: the 4K leaves go, every table (the PD entries too) stays', () => {
    const G = 512 * MiB2;
    const vm = makeVm({ host: { tdpMmu: false } }, [
      { gpa: 0, size: G, userspaceAddr: hx(HVA), backing: { pageSize: '1G' }, flags: ['log_dirty_pages'] },
    ]);
    prefault(vm, 0, 0x1000);
    prefault(vm, MiB2, 0x1000);
    const before = tables(vm);
    expect(rows(vm).map((m) => `${m.gpa} ${m.level}`)).toEqual(['0x0 4K', `${hx(MiB2)} 4K`]);
    expect(setSlot(vm, { gpa: 0, size: G, userspaceAddr: hx(HVA), backing: { pageSize: '1G' }, flags: [] }, 0).ret).toBe(0);
    expect(rows(vm)).toEqual([]);
    expect(tables(vm)).toBe(before);
  });
  it("TD, 6.18: the shared slot's huge leaves are recovered in the direct root, at the aliased gpas (kvm_gfn_root_bits)", () => {
    const vm = makeVm({ type: 'tdx' }, [slotWith(['log_dirty_pages']) as never]);
    vm.apply({ op: 'finalize' });
    prefault(vm, 0, SIZE);
    logging(vm, false);
    const direct = vm.roots().find((r) => !r.mirror)!;
    expect(rows(vm, direct.id).map((m) => `${m.gpa} ${m.level} x${m.count}`)).toEqual([`${hx(2 ** 47)} 2M x2`]);
  });
  it('legacy MMU, 6.13-6.15: a later pre-fault meets the empty table at the 2M goal and is SPURIOUS (mmu_set_spte, prefetch)', () => {
    const vm = unlogged(false, '6.15');
    expect(prefault(vm, 0, MiB2).iterations.map((i) => `${i.result} ${i.level}`)).toEqual(['SPURIOUS 2M']);
    expect(rows(vm)).toEqual([]);
  });
  it('TDP MMU before 6.13: the collapsible tables themselves are zapped (kvm_tdp_mmu_zap_collapsible_sptes)', () => {
    const vm = unlogged(true, '6.12');
    expect(rows(vm)).toEqual([]);
    expect(vm.roots()[0]!.counts.tables).toBe(3);
  });
  it('legacy MMU: a 4K leaf whose 2M page may not be huge (backing 4K) stays', () => {
    const vm = makeVm({ host: { tdpMmu: false } }, [{ gpa: 0, size: SIZE, userspaceAddr: hx(HVA), flags: ['log_dirty_pages'] }]);
    prefault(vm, 0, 0x1000);
    const before = tables(vm);
    setSlot(vm, { gpa: 0, size: SIZE, userspaceAddr: hx(HVA), flags: [] }, 0);
    expect(rows(vm).map((m) => `${m.gpa} ${m.level}`)).toEqual(['0x0 4K']);
    expect(tables(vm)).toBe(before);
  });
});
