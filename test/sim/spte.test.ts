// Bits of the SPTEs a fault installs (spte.c:make_spte, spec §6) and real guest accesses.
import { describe, expect, it } from 'vitest';
import type { KernelVersion } from '../../src/sim/index.js';
import { GiB, MiB2, access, makeVm, prefault, rows, trace } from './helpers.js';

describe('make_spte for a prefetch fault', () => {
  it('Accessed is never set by a pre-fault and is set by a guest access', () => {
    const vm = makeVm({}, [{ gpa: 0, size: GiB }]);
    prefault(vm, 0, 0x2000);
    expect(rows(vm).map((m) => m.accessed)).toEqual([false]);
    expect(access(vm, 0x1000)).toMatchObject({ ret: 0, exit: null, iterations: [] });
    expect(rows(vm).map((m) => `${m.gpa} a=${m.accessed}`)).toEqual(['0x0 a=false', '0x1000 a=true']);
  });
  it('Dirty goes with Writable; untouched anonymous memory maps the zero page read-only', () => {
    const vm = makeVm({}, [
      { gpa: 0, size: MiB2 },
      { slot: 1, gpa: MiB2, size: MiB2, backing: { writable: false } },
    ]);
    const w = prefault(vm, 0, 0x1000).mapped[0]!;
    const z = prefault(vm, MiB2, 0x1000).mapped[0]!;
    expect([w.writable, w.dirty]).toEqual([true, true]);
    expect([z.writable, z.dirty]).toEqual([false, false]);
    expect(prefault(vm, MiB2 + 0x1000, 0x1000).mapped[0]!.hostPfn).toBe(z.hostPfn);
  });
  it('a read-only slot maps read-only', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, flags: ['readonly'] }]);
    expect(prefault(vm, 0, 0x1000).mapped[0]).toMatchObject({ writable: false, dirty: false });
  });
  it('host pfns follow the userspace address deterministically', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, userspaceAddr: '0x7f0000000000' }]);
    expect(prefault(vm, 0x3000, 0x1000).mapped[0]!.hostPfn).toBe('0x7f0000003');
  });
  it('NX huge pages: huge SPTEs are not executable; a guest exec splits to executable 4K leaves', () => {
    const vm = makeVm({ host: { nxHugePages: true } }, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M' } }]);
    expect(prefault(vm, 0, MiB2).mapped[0]).toMatchObject({ level: '2M', executable: false });
    const r = access(vm, 0x5000, 'exec');
    expect([r.ret, r.exit]).toEqual([0, null]);
    expect(rows(vm).map((m) => `${m.gpa} ${m.level} x${m.count} x=${m.executable} a=${m.accessed}`)).toEqual([
      '0x0 4K x5 x=true a=false',
      '0x5000 4K x1 x=true a=true',
      '0x6000 4K x506 x=true a=false',
    ]);
    // disallowed_hugepage_adjust: a later pre-fault does not rebuild the 2M page over the split table.
    expect(trace(prefault(vm, 0, 0x1000))).toEqual(['0x0 SPURIOUS 4K 0x1000 x1']);
  });
  it('a guest write to a zero-page leaf breaks CoW: new pfn, writable and dirty', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, backing: { writable: false }, userspaceAddr: '0x7f0000000000' }]);
    prefault(vm, 0, 0x1000);
    expect(access(vm, 0, 'write').ret).toBe(0);
    expect(rows(vm)[0]).toMatchObject({ hostPfn: '0x7f0000000', writable: true, dirty: true, accessed: true });
  });
});

describe('EPT without A/D bits (role.ad_disabled, mark_spte_for_access_track)', () => {
  const vm = () => makeVm({ host: { adBits: false } }, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M' } }]);
  it('roots say adDisabled and pre-faulted SPTEs are access-tracked (not accessed, not hardware-writable)', () => {
    const v = vm();
    const r = prefault(v, 0, MiB2);
    expect(r.root!.adDisabled).toBe(true);
    // 6.18: D is written with W even without hardware A/D; tracking clears W (not saved).
    expect(r.mapped[0]).toMatchObject({ level: '2M', accessed: false, writable: false, dirty: true });
  });
  it('a second pre-fault restores the tracked SPTE through fast_page_fault: FIXED at 4K, then SPURIOUS at 4K', () => {
    const v = vm();
    prefault(v, 0, MiB2);
    expect(trace(prefault(v, 0, 0x3000))).toEqual(['0x0 FIXED 4K 0x1000 x1', '0x1000 SPURIOUS 4K 0x1000 x2']);
    expect(rows(v)[0]).toMatchObject({ level: '2M', accessed: true });
  });
});

describe('MMIO SPTEs for GPAs without a memslot (kvm_handle_noslot_fault, spec §7.2)', () => {
  it('a 4K MMIO SPTE is cached with mmioCaching, not without; ENOENT either way', () => {
    for (const mmioCaching of [true, false]) {
      const vm = makeVm({ host: { mmioCaching } }, [{ gpa: 0, size: MiB2 }]);
      const r = prefault(vm, GiB, 0x1000);
      expect([r.errno, r.mapped.map((m) => m.kind)]).toEqual(['ENOENT', mmioCaching ? ['mmio'] : []]);
    }
  });
  it('no MMIO SPTE above kvm_mmu_max_gfn (host MAXPHYADDR)', () => {
    const vm = makeVm({ host: { maxPhysAddr: 39 } }, [{ gpa: 0, size: MiB2 }]);
    expect(prefault(vm, 2 ** 40, 0x1000).mapped).toEqual([]);
  });
  it('a guest access to an MMIO gpa exits to userspace for emulation', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2 }]);
    expect(access(vm, GiB)).toMatchObject({ ret: 0, exit: 'KVM_EXIT_MMIO' });
  });
});

describe('guest access response', () => {
  it('reports the touched leaf once, as it stands after the access', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, backing: { writable: false } }]);
    prefault(vm, 0, 0x1000);
    const r = access(vm, 0, 'write');
    expect(r.mapped).toHaveLength(1);
    expect(r.mapped[0]).toMatchObject({ gpa: '0x0', writable: true, dirty: true, accessed: true });
    expect(r.iterations.map((i) => i.result)).toEqual(['FIXED']);
  });
});

describe('a real fault over a present leaf it may use (tdp_mmu_map_handle_target_level)', () => {
  const split = (kernel: KernelVersion) => {
    const vm = makeVm({ kernel, host: { nxHugePages: true } }, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M' } }]);
    prefault(vm, 0, MiB2);
    return access(vm, 0x5000, 'exec');
  };
  it('6.13+ (386d69f9f29b): the split child already allows the fetch: SPURIOUS, then the CPU sets A', () => {
    for (const kernel of ['6.13', '6.14', '6.15', '6.16', '6.18'] as const)
      expect(
        split(kernel).iterations.map((i) => i.result),
        kernel,
      ).toEqual(['SPURIOUS']);
  });
  it('6.11-6.12: only prefetches stop early; make_spte differs (A set), so the leaf is installed: FIXED', () => {
    for (const kernel of ['6.11', '6.12'] as const) {
      const r = split(kernel);
      expect(
        r.iterations.map((i) => i.result),
        kernel,
      ).toEqual(['FIXED']);
      expect(
        r.mapped.find((m) => m.gpa === '0x5000'),
        kernel,
      ).toMatchObject({ level: '4K', count: 1, accessed: true, executable: true });
    }
  });
});
