// KVM_CREATE_VCPU and the vCPU's mode (vcpu.ts): the id range of kvm_vm_ioctl_create_vcpu
// (KVM_MAX_VCPU_IDS), an id in use (EEXIST in the kernel, a 409 here), the per-VM limit, the
// MAXPHYADDR range of KVM_SET_CPUID2, and the states KVM_SET_NESTED_STATE / a TD refuse.
import { describe, expect, it } from 'vitest';
import { SimError, type VcpuSpec } from '../../src/sim/index.js';
import { GiB, makeVm, patchVcpu, prefault } from './helpers.js';

/** The SimError a call throws, as "code:field", or "ok". */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof SimError) return `${e.code}:${e.field}`;
    throw e;
  }
  return 'ok';
}

const create = (spec: VcpuSpec, config = {}, limits = {}) => {
  const vm = makeVm(config, [], [], limits);
  return refusal(() => vm.apply({ op: 'create_vcpu', vcpu: spec }));
};

describe('kvm_vm_ioctl_create_vcpu', () => {
  it('takes ids 0 to KVM_MAX_VCPU_IDS - 1 and nothing else', () => {
    expect([0, 4095].map((id) => create({ id }))).toEqual(['ok', 'ok']);
    expect([-1, 4096, 1.5].map((id) => create({ id }))).toEqual(['invalid:id', 'invalid:id', 'invalid:id']);
  });
  it('an id in use is a conflict, and the per-VM limit a limit, both on field id', () => {
    const vm = makeVm({}, [], [{ id: 0 }], { maxVcpus: 2 });
    expect(refusal(() => vm.apply({ op: 'create_vcpu', vcpu: { id: 0 } }))).toBe('conflict:id');
    expect(refusal(() => vm.apply({ op: 'create_vcpu', vcpu: { id: 1 } }))).toBe('ok');
    expect(refusal(() => vm.apply({ op: 'create_vcpu', vcpu: { id: 2 } }))).toBe('limit:id');
  });
  it('MAXPHYADDR is an integer from 32 to 52, checked at creation and on every mode change', () => {
    expect([31, 32, 52, 53, 40.5].map((maxPhysAddr) => create({ id: 0, maxPhysAddr }))).toEqual([
      'invalid:maxPhysAddr',
      'ok',
      'ok',
      'invalid:maxPhysAddr',
      'invalid:maxPhysAddr',
    ]);
    const vm = makeVm();
    expect(refusal(() => patchVcpu(vm, 0, { maxPhysAddr: 53 }))).toBe('invalid:maxPhysAddr');
    expect(vm.vcpu(0).maxPhysAddr).toBe(46);
  });
  it('SMM and guest mode together are refused at creation too (KVM_SET_NESTED_STATE: EINVAL)', () => {
    expect(create({ id: 0, smm: true, guestMode: true })).toBe('conflict:guestMode');
  });
  it('a TD vCPU has neither SMM nor guest mode, and the refusal names the field asked for', () => {
    expect(create({ id: 0, smm: true }, { type: 'tdx' })).toBe('conflict:smm');
    expect(create({ id: 0, guestMode: true }, { type: 'tdx' })).toBe('conflict:guestMode');
    expect(create({ id: 0 }, { type: 'tdx' })).toBe('ok');
  });
  it('defaults: nested TDP on, not in SMM or guest mode', () => {
    const vm = makeVm();
    expect(vm.vcpu(0)).toMatchObject({ smm: false, guestMode: false, nestedTdp: true });
  });
});

describe('the loaded root a vCPU shows', () => {
  it('is the root it loaded, and null once a zap-all made that root obsolete', () => {
    const vm = makeVm({}, [{ gpa: 0, size: GiB }]);
    expect(vm.vcpu(0).loadedRoot).toBeNull();
    const root = prefault(vm, 0, 0x1000).root!.id;
    expect(vm.vcpu(0).loadedRoot).toBe(root);
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 0 }); // SLOT_ZAP_ALL: every root obsolete
    expect(vm.vcpu(0).loadedRoot).toBeNull();
  });
});
