// Hosts wider than 48 bits with only 4-level EPT/NPT (cpuid.c leaf 0x80000008: GuestPhysBits
// capped at 48), and the TD's one shared bit (tdx.c setup_tdparams_eptp_controls, tdx_td_init).
import { describe, expect, it } from 'vitest';
import { withVmDefaults } from '../../src/sim/index.js';
import { MiB2, hx, makeVm, prefault, setSlot, trace } from './helpers.js';

const P48 = 2 ** 48;

describe('MAXPHYADDR above 48 with 4-level EPT/NPT', () => {
  it('an Intel host without 5-level EPT and an AMD host without LA57 are creatable', () => {
    expect(makeVm({ host: { maxPhysAddr: 52, maxTdpLevel: 4 } }).config.host.maxPhysAddr).toBe(52);
    expect(makeVm({ host: { vendor: 'amd', maxPhysAddr: 52, pagingLevel: 4 } }).config.host.pagingLevel).toBe(4);
  });
  it('KVM advertises GuestPhysBits 48 there, the full width with 5 levels, 0 without TDP', () => {
    expect(makeVm({ host: { maxPhysAddr: 52, maxTdpLevel: 4 } }).guestPhysBits).toBe(48);
    expect(makeVm({ host: { vendor: 'amd', maxPhysAddr: 52, pagingLevel: 4 } }).guestPhysBits).toBe(48);
    expect(makeVm({ host: { maxPhysAddr: 52, maxTdpLevel: 5 } }).guestPhysBits).toBe(52);
    expect(makeVm({ host: { maxPhysAddr: 46 } }).guestPhysBits).toBe(46);
    expect(makeVm({ host: { tdp: false, maxPhysAddr: 52 } }).guestPhysBits).toBe(0);
  });
  it('the root stays 4-level whatever the guest MAXPHYADDR', () => {
    const vm = makeVm({ host: { maxPhysAddr: 52, maxTdpLevel: 4 } }, [{ gpa: 0, size: MiB2 }], [{ id: 0, maxPhysAddr: 52 }]);
    expect(prefault(vm, 0, 0x1000).root).toMatchObject({ level: 4 });
  });
  it('a memslot above 2^48 is accepted: kvm_mmu_max_gfn() uses the host MAXPHYADDR', () => {
    const vm = makeVm({ host: { maxPhysAddr: 52, maxTdpLevel: 4 } });
    expect(setSlot(vm, { gpa: P48, size: MiB2 }, 1).ret).toBe(0);
    expect(withVmDefaults({ name: 'x', host: { maxPhysAddr: 52 } }).host.maxTdpLevel).toBe(4);
  });
});

describe('TDX: one shared bit per TD, fixed at KVM_TDX_INIT_VM', () => {
  it('GPAW 52 (5-level EPT, MAXPHYADDR 52): bit 51 for slots and pre-faults alike; TD vCPUs report the GPAW', () => {
    const vm = makeVm({ type: 'tdx', tdxGpaw: 52, host: { maxPhysAddr: 52, maxTdpLevel: 5 } }, [{ gpa: 2 ** 47, size: MiB2 }]);
    expect(vm.vcpu(0).maxPhysAddr).toBe(52);
    vm.apply({ op: 'finalize' });
    const r = prefault(vm, 2 ** 47, 0x1000);
    expect(trace(r)).toEqual([`${hx(2 ** 47)} FIXED 4K 0x1000 x1`]);
    // A shared access carries bit 51, not bit 47.
    expect(r.mapped[0]!.gpa).toBe(hx(2 ** 51 + 2 ** 47));
    expect(prefault(vm, 2 ** 51, 0x1000).errno).toBe('EINVAL');
    expect(makeVm({ type: 'tdx' }).vcpu(0).maxPhysAddr).toBe(48);
  });
  it('GPAW 48 (no 5-level EPT): bit 47 refuses a slot there even on a 52-bit host', () => {
    const vm = makeVm({ type: 'tdx', host: { maxPhysAddr: 52, maxTdpLevel: 4 } });
    const r = setSlot(vm, { gpa: 2 ** 47, size: MiB2 }, 1);
    expect([r.errno, r.reason]).toEqual(['EINVAL', expect.stringMatching(/kvm_is_gfn_alias/)]);
  });
  it('GPAW 48: a vCPU claiming 52 bits does not move the shared bit of its pre-faults', () => {
    const vm = makeVm({ type: 'tdx', host: { maxPhysAddr: 48, maxTdpLevel: 5 } }, [{ gpa: 0, size: MiB2 }], [{ id: 0, maxPhysAddr: 52 }]);
    vm.apply({ op: 'finalize' });
    expect(prefault(vm, 2 ** 47, 0x1000).errno).toBe('EINVAL');
    expect(prefault(vm, 0, 0x1000).mapped[0]!.gpa).toBe(hx(2 ** 47));
  });
});

describe('GPAs beyond a 4-level root (tdp_iter_start / SPTE_INDEX keep 9 bits per level)', () => {
  it('a slot at 2^48 maps through the entry of gpa mod 2^48, as the hardware walks it', () => {
    const vm = makeVm({ host: { maxPhysAddr: 52, maxTdpLevel: 4 } }, [
      { gpa: 0, size: MiB2, userspaceAddr: hx(2 ** 40) },
      { slot: 1, gpa: P48, size: MiB2, userspaceAddr: hx(2 ** 41) },
    ]);
    const high = prefault(vm, P48, 0x1000);
    expect(trace(high)).toEqual([`${hx(P48)} FIXED 4K 0x1000 x1`]);
    const root = vm.roots()[0]!;
    expect(root.level).toBe(4);
    // The leaf sits where gpa 0 is translated, and maps the high slot's page.
    expect(vm.mappings(root.id).mappings).toEqual([expect.objectContaining({ gpa: '0x0', hostPfn: hx(2 ** 41 / 4096) })]);
    // Pre-faulting gpa 0 finds that present leaf: SPURIOUS, nothing new.
    const low = prefault(vm, 0, 0x1000);
    expect([trace(low), low.mapped]).toEqual([['0x0 SPURIOUS 4K 0x1000 x1'], []]);
  });
});
