// Roots keyed by role and shared VM-wide (tdp_mmu.c:kvm_tdp_mmu_alloc_root, spec §4).
import { describe, expect, it } from 'vitest';
import { GiB, makeVm, patchVcpu, prefault, rows, setSlot } from './helpers.js';

const ram = [{ gpa: 0, size: GiB }];
const role = (r: { level: number; smm: boolean; guestMode: boolean }): string => `${r.level}/${r.smm ? 'smm' : '-'}/${r.guestMode ? 'l2' : '-'}`;

describe('kvm_mmu_get_tdp_level (spec §4.2)', () => {
  it('Intel with 5-level EPT picks 4 levels up to guest MAXPHYADDR 48 and 5 above', () => {
    const vm = makeVm({ host: { maxTdpLevel: 5, maxPhysAddr: 52 } }, ram, [
      { id: 0, maxPhysAddr: 48 },
      { id: 1, maxPhysAddr: 52 },
    ]);
    expect(prefault(vm, 0, 0x1000, { vcpu: 0 }).root!.level).toBe(4);
    expect(prefault(vm, 0, 0x1000, { vcpu: 1 }).root!.level).toBe(5);
  });
  it('AMD forces the host paging level whatever the guest MAXPHYADDR', () => {
    const vm = makeVm({ host: { vendor: 'amd', pagingLevel: 5, maxPhysAddr: 52 } }, ram, [{ id: 0, maxPhysAddr: 40 }]);
    expect(prefault(vm, 0, 0x1000).root!.level).toBe(5);
  });
  it('the vCPU view names the role its next reload will use', () => {
    const vm = makeVm({ host: { maxTdpLevel: 5, maxPhysAddr: 52 } }, ram, [{ id: 0, maxPhysAddr: 52, smm: true }]);
    expect(vm.vcpu(0).mmu).toEqual({
      kind: 'tdp',
      rootRole: { level: 5, smm: true, guestMode: false, addressSpace: 1, adDisabled: false, mirror: false },
    });
  });
});

describe('roots are VM-wide and shared by equal roles (spec §4.3-4.4)', () => {
  it('a second vCPU with the same role finds the mapping: SPURIOUS, nothing new', () => {
    const vm = makeVm({}, ram, [{ id: 0 }, { id: 1 }]);
    expect(prefault(vm, 0, 0x1000, { vcpu: 0 }).iterations[0]!.result).toBe('FIXED');
    const second = prefault(vm, 0, 0x1000, { vcpu: 1 });
    expect([second.iterations[0]!.result, second.mapped.length]).toEqual(['SPURIOUS', 0]);
    expect(vm.roots().map((r) => r.vcpus)).toEqual([[0, 1]]);
  });
  it('six roots: {4,5}-level x {normal, SMM, guest_mode}', () => {
    const slots = [
      { gpa: 0, size: GiB },
      { as: 1, slot: 0, gpa: 0, size: GiB },
    ];
    const vm = makeVm({ host: { maxTdpLevel: 5, maxPhysAddr: 52 } }, slots, [
      { id: 0, maxPhysAddr: 46 },
      { id: 1, maxPhysAddr: 46, smm: true },
      { id: 2, maxPhysAddr: 46, guestMode: true, nestedTdp: false },
      { id: 3, maxPhysAddr: 52 },
      { id: 4, maxPhysAddr: 52, smm: true },
      { id: 5, maxPhysAddr: 52, guestMode: true, nestedTdp: false },
    ]);
    for (let id = 0; id < 6; id++) expect(prefault(vm, 0, 0x1000, { vcpu: id }).ret).toBe(0);
    expect(vm.roots().map(role).sort()).toEqual(['4/-/-', '4/-/l2', '4/smm/-', '5/-/-', '5/-/l2', '5/smm/-']);
    expect(vm.roots().every((r) => r.counts['4K'] === 1)).toBe(true);
  });
  it('a mode change unloads the vCPU root but the VM keeps it with its mappings', () => {
    const vm = makeVm({}, [...ram, { as: 1, slot: 0, gpa: 0, size: GiB }]);
    prefault(vm, 0, 0x1000);
    const r0 = vm.roots()[0]!.id;
    patchVcpu(vm, 0, { smm: true });
    expect(vm.roots().find((r) => r.id === r0)!.vcpus).toEqual([]);
    prefault(vm, 0, 0x1000);
    patchVcpu(vm, 0, { smm: false });
    const back = prefault(vm, 0, 0x1000);
    expect([back.root!.id, back.iterations[0]!.result]).toEqual([r0, 'SPURIOUS']);
  });
  it('KVM_SET_VCPU_EVENTS: entering SMM from L2 leaves guest mode (kvm_leave_nested)', () => {
    const vm = makeVm({}, ram, [{ id: 0, guestMode: true, nestedTdp: false }]);
    patchVcpu(vm, 0, { smm: true });
    expect(vm.vcpu(0).guestMode).toBe(false);
    expect(() => patchVcpu(vm, 0, { guestMode: true })).toThrow(/SMM/);
  });
});

describe('memslot deletion (mmu.c:kvm_arch_flush_shadow_memslot, spec §4.4)', () => {
  it('default VM: zap-all makes every root obsolete; the next fault gets a fresh root', () => {
    const vm = makeVm({}, [
      { gpa: 0, size: GiB },
      { slot: 1, gpa: GiB, size: GiB },
    ]);
    const before = prefault(vm, 0, 0x1000).root!.id;
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 1 });
    expect(vm.roots()).toEqual([]);
    const after = prefault(vm, 0, 0x1000);
    expect(after.root!.id).not.toBe(before);
    expect(after.iterations[0]!.result).toBe('FIXED');
  });
  it('sw_protected VM (6.12+): only the slot leaves go, tables and other leaves stay', () => {
    const vm = makeVm({ type: 'sw_protected' }, [
      { gpa: 0, size: GiB },
      { slot: 1, gpa: GiB, size: GiB },
    ]);
    prefault(vm, 0, 0x1000);
    prefault(vm, GiB, 0x1000);
    const id = vm.roots()[0]!.id;
    const tables = vm.roots()[0]!.counts.tables;
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 1 });
    expect(vm.roots()[0]!).toMatchObject({ id, counts: { '4K': 1, tables } });
  });
  it('6.11 has no KVM_X86_QUIRK_SLOT_ZAP_ALL: every VM type zaps all', () => {
    const vm = makeVm({ type: 'sw_protected', kernel: '6.11' }, [
      { gpa: 0, size: GiB },
      { slot: 1, gpa: GiB, size: GiB },
    ]);
    prefault(vm, 0, 0x1000);
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 1 });
    expect(vm.roots()).toEqual([]);
  });
  it('before 6.15 the obsolete root is kept and the prefault spins until a signal (EINTR)', () => {
    const vm = makeVm({ kernel: '6.14' }, [
      { gpa: 0, size: GiB },
      { slot: 1, gpa: GiB, size: GiB },
    ]);
    prefault(vm, 0, 0x1000);
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 1 });
    const r = prefault(vm, 0x1000, 0x1000);
    expect([r.ret, r.errno, r.iterations[0]!.result]).toEqual([-4, 'EINTR', 'ERROR']);
    expect(r.note).toMatch(/obsolete/);
    // KVM_RUN services KVM_REQ_MMU_FREE_OBSOLETE_ROOTS, after which the prefault works.
    vm.apply({ op: 'access', vcpuId: 0, gpa: '0x0', kind: 'read' });
    expect(prefault(vm, 0x1000, 0x1000).ret).toBe(0);
  });
  it('6.15+ reload frees the obsolete root first (20a6cff3b283)', () => {
    const vm = makeVm({ kernel: '6.15' }, [
      { gpa: 0, size: GiB },
      { slot: 1, gpa: GiB, size: GiB },
    ]);
    prefault(vm, 0, 0x1000);
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 1 });
    expect(prefault(vm, 0x1000, 0x1000).ret).toBe(0);
  });
  it('slot creation zaps nothing; a stale MMIO SPTE is replaced by the next fault', () => {
    const vm = makeVm({}, ram);
    expect(prefault(vm, GiB, 0x1000).errno).toBe('ENOENT');
    expect(rows(vm).map((m) => m.kind)).toEqual(['mmio']);
    setSlot(vm, { gpa: GiB, size: GiB }, 1);
    expect(rows(vm).map((m) => m.kind)).toEqual(['mmio']);
    expect(prefault(vm, GiB, 0x1000).iterations[0]!.result).toBe('FIXED');
    expect(rows(vm).map((m) => m.kind)).toEqual(['ram']);
  });
});
