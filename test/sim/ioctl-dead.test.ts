// POST …/mark-dead: kvm_vm_dead() after a KVM_BUG_ON. kvm_vm_ioctl and kvm_vcpu_ioctl test
// kvm->vm_dead before anything else, so every ioctl answers EIO; reads keep working.
import { describe, expect, it } from 'vitest';
import type { AccessResult, IoctlResult, MemslotResult, PreFaultResult } from '../../src/sim/index.js';
import { GiB, MiB2, access, hx, makeVm, prefault, rows, setSlot } from './helpers.js';

const deadVm = () => {
  const vm = makeVm({}, [{ gpa: 0, size: GiB }]);
  prefault(vm, 0, MiB2);
  expect(vm.apply({ op: 'mark_dead' })).toEqual({ ret: 0, errno: null });
  return vm;
};
const EIO = { ret: -5, errno: 'EIO' as const, reason: expect.stringMatching(/kvm->vm_dead/) as string };

describe('a dead VM (kvm_vm_dead)', () => {
  it('is dead from then on, and marking it again changes nothing', () => {
    const vm = deadVm();
    expect(vm.dead).toBe(true);
    expect(vm.apply({ op: 'mark_dead' })).toEqual({ ret: 0, errno: null });
    expect(vm.dead).toBe(true);
    expect(makeVm().dead).toBe(false);
  });
  it('pre-fault answers EIO before any validation and echoes the range unchanged', () => {
    const vm = deadVm();
    const r = prefault(vm, 0x800, 0x1000, { flags: 1, inject: { signalPending: true } });
    expect(r).toEqual({
      ...EIO,
      range: { gpa: '0x800', size: '0x1000', flags: '0x1' },
      iterations: [],
      root: null,
      mapped: [],
    } satisfies Partial<PreFaultResult>);
  });
  it('every VM and vCPU ioctl answers EIO, even with arguments the kernel would refuse', () => {
    const vm = deadVm();
    expect(vm.apply({ op: 'create_vcpu', vcpu: { id: 99999 } })).toEqual(EIO);
    expect(vm.apply({ op: 'set_vcpu_mode', vcpuId: 0, patch: { smm: true, guestMode: true } })).toEqual(EIO);
    expect(setSlot(vm, { gpa: 0x800, size: 0x1000 }, 3)).toEqual({ ...EIO, memslot: null } satisfies Partial<MemslotResult>);
    expect(vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 0 })).toEqual({ ...EIO, memslot: null });
    expect(vm.apply({ op: 'set_memory_attributes', address: '0x0', size: '0x0', private: true })).toEqual(EIO);
    expect(vm.apply({ op: 'finalize' })).toEqual(EIO);
    expect(access(vm, 0, 'write')).toEqual({ ...EIO, exit: null, iterations: [], root: null, mapped: [] } satisfies Partial<AccessResult>);
  });
  it('changes no state: the slot, the vCPU mode and the mappings stay', () => {
    const vm = deadVm();
    const before = rows(vm);
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 0 });
    vm.apply({ op: 'set_vcpu_mode', vcpuId: 0, patch: { smm: true } });
    prefault(vm, MiB2, MiB2);
    expect(vm.memslots().map((s) => s.slot)).toEqual([0]);
    expect(vm.vcpu(0).smm).toBe(false);
    expect(rows(vm)).toEqual(before);
  });
  it('reads keep working: roots, mappings, walk, vCPUs, memslots, capabilities', () => {
    const vm = deadVm();
    const root = vm.roots()[0]!;
    expect(root.counts['4K']).toBe(512);
    expect(vm.mappings(root.id).mappings[0]).toMatchObject({ gpa: '0x0', level: '4K', count: 512 });
    expect(vm.walk(root.id, 0n).leafLevel).toBe('4K');
    expect(vm.memslots().map((s) => s.slot)).toEqual([0]);
    expect(vm.vcpus().map((v) => v.id)).toEqual([0]);
    expect(vm.capabilities()).toEqual({ KVM_CAP_PRE_FAULT_MEMORY: 1 });
  });
  it('a vCPU ioctl still needs an existing vCPU (no fd to call it on)', () => {
    const vm = deadVm();
    expect(() => prefault(vm, 0, 0x1000, { vcpu: 7 })).toThrow(/vCPU 7 does not exist/);
    expect(() => vm.apply({ op: 'access', vcpuId: 7, gpa: hx(0), kind: 'read' })).toThrow(/vCPU 7/);
  });
  it('a VM that is not dead answers the same calls normally', () => {
    const vm = makeVm({}, [{ gpa: 0, size: GiB }]);
    expect((vm.apply({ op: 'finalize' }) as IoctlResult).errno).toBe('ENOTTY');
    expect(prefault(vm, 0, 0x1000).ret).toBe(0);
  });
});
