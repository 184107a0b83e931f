// arm64 vCPUs (arch/arm64/kvm/arm.c; spec part 2 §18.8; contract v2 "Page tables"): KVM_CREATE_VCPU,
// KVM_ARM_VCPU_INIT, the nested stage-2 a vCPU that last ran an L2 points at, and the views
// that list vCPUs and roots. Refusals are SimErrors naming their field.
import { describe, expect, it } from 'vitest';
import { Arm64Vm } from '../../../src/sim/arm64/vm.js';
import { refusal } from '../helpers.js';
import { arm64Vm } from './helpers.js';

const nestedHost = { host: { nestedVirt: true } };

describe('kvm_arch_vcpu_create: a vCPU points at the canonical stage-2 (kvm->arch.mmu)', () => {
  it('the view of a plain vCPU: initialised by default, no EL2, not nested, on s2-0', () => {
    const vm = arm64Vm({}, [], [{ id: 0 }]);
    expect(vm.vcpu(0)).toEqual({
      id: 0,
      initialized: true,
      el2: false,
      lastRanNested: false,
      mmu: { kind: 's2-canonical', rootRole: null },
      loadedRoot: 's2-0',
    });
    expect(vm.vcpus()).toEqual([vm.vcpu(0)]);
  });

  it('the vCPU list is in id order whatever the creation order', () => {
    const vm = arm64Vm({}, [], [{ id: 3 }, { id: 1 }, { id: 2, initialized: false }]);
    expect(vm.vcpus().map((v) => [v.id, v.initialized])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);
  });

  it.each([
    ['a negative id', { id: -1 }, ['invalid', 'id', 'id must be a non-negative integer']],
    ['a fractional id', { id: 1.5 }, ['invalid', 'id', 'id must be a non-negative integer']],
    ['an existing id', { id: 0 }, ['conflict', 'id', 'vCPU 0 exists']],
    [
      'KVM_ARM_VCPU_HAS_EL2 on a host without kvm-arm.mode=nested',
      { id: 1, el2: true },
      ['invalid', 'el2', expect.stringMatching(/^el2 needs host.nestedVirt/)],
    ],
  ])('KVM_CREATE_VCPU with %s is refused', (_what, spec, expected) => {
    const vm = arm64Vm({}, [], [{ id: 0 }]);
    expect(refusal(() => vm.createVcpu(spec))).toEqual(expected);
    expect(vm.vcpus().map((v) => v.id)).toEqual([0]);
  });

  it('an unknown vCPU is not found, for a read and for a PATCH', () => {
    const vm = arm64Vm({}, [], [{ id: 0 }]);
    expect(refusal(() => vm.vcpu(5))).toEqual(['not_found', undefined, 'no vCPU 5']);
    expect(refusal(() => vm.patchVcpu(6, { initialized: true }))).toEqual(['not_found', undefined, 'no vCPU 6']);
  });
});

describe('KVM_ARM_VCPU_INIT: uninitialised -> initialised only', () => {
  it('a second init of an initialised vCPU is accepted and changes nothing', () => {
    const vm = arm64Vm({}, [], [{ id: 0 }]);
    const before = vm.vcpu(0);
    expect(vm.patchVcpu(0, { initialized: true })).toEqual(before);
  });
  it('an initialised vCPU cannot go back to uninitialised (409 naming initialized)', () => {
    const vm = arm64Vm({}, [], [{ id: 0 }]);
    expect(refusal(() => vm.patchVcpu(0, { initialized: false }))).toEqual(['conflict', 'initialized', 'a vCPU cannot be un-initialised']);
    expect(vm.vcpu(0).initialized).toBe(true);
  });
  it('an uninitialised vCPU may stay uninitialised, then be initialised', () => {
    const vm = arm64Vm({}, [], [{ id: 0, initialized: false }]);
    expect(vm.patchVcpu(0, { initialized: false }).initialized).toBe(false);
    expect(vm.patchVcpu(0, { initialized: true }).initialized).toBe(true);
  });
});

describe('the nested stage-2 of a vCPU that last ran an L2 (kvm_vcpu_load_hw_mmu)', () => {
  it('lastRanNested needs an initialised EL2 vCPU (400 naming lastRanNested)', () => {
    const vm = arm64Vm(nestedHost, [], [{ id: 0 }, { id: 1, el2: true, initialized: false }]);
    const words = ['invalid', 'lastRanNested', 'lastRanNested needs el2 and an initialised vCPU'];
    expect(refusal(() => vm.patchVcpu(0, { lastRanNested: true }))).toEqual(words);
    expect(refusal(() => vm.patchVcpu(1, { lastRanNested: true }))).toEqual(words);
    expect(vm.roots().map((r) => r.id)).toEqual(['s2-0']);
  });

  it('each nested vCPU gets its own root, numbered from s2-1 in creation order; roots list them by vCPU id', () => {
    const vm = arm64Vm(nestedHost, [], [{ id: 2, el2: true, lastRanNested: true }, { id: 0 }, { id: 1, el2: true, lastRanNested: true }]);
    expect(vm.vcpus().map((v) => [v.id, v.mmu.kind, v.loadedRoot])).toEqual([
      [0, 's2-canonical', 's2-0'],
      [1, 's2-nested', 's2-2'],
      [2, 's2-nested', 's2-1'],
    ]);
    expect(vm.roots().map((r) => [r.id, r.kind, r.vcpus])).toEqual([
      ['s2-0', 's2-canonical', [0]],
      ['s2-2', 's2-nested', [1]],
      ['s2-1', 's2-nested', [2]],
    ]);
  });

  it('the canonical root lists every vCPU that does not run nested, in id order', () => {
    const vm = arm64Vm(nestedHost, [], [{ id: 4 }, { id: 1, el2: true, lastRanNested: true }, { id: 3 }, { id: 0 }]);
    expect(vm.roots()[0]!.vcpus).toEqual([0, 3, 4]);
  });

  it('patching lastRanNested true again keeps the same nested root; patching init leaves it alone', () => {
    const vm = arm64Vm(nestedHost, [], [{ id: 0, el2: true, lastRanNested: true }]);
    const before = vm.vcpu(0);
    expect(vm.patchVcpu(0, { lastRanNested: true })).toEqual(before);
    expect(vm.patchVcpu(0, { initialized: true })).toEqual(before);
    expect(vm.roots().map((r) => r.id)).toEqual(['s2-0', 's2-1']);
    expect(vm.tableBytes()).toBe(4 * 4096);
  });

  it('lastRanNested false: the vCPU is back on the canonical stage-2, its nested root and its pgd pages are gone', () => {
    const vm = arm64Vm(nestedHost, [], [{ id: 0, el2: true, lastRanNested: true }]);
    // 4K/40: a pgd of 2 concatenated pages per stage-2.
    expect(vm.tableBytes()).toBe(4 * 4096);
    expect(vm.patchVcpu(0, { lastRanNested: false })).toEqual({
      id: 0,
      initialized: true,
      el2: true,
      lastRanNested: false,
      mmu: { kind: 's2-canonical', rootRole: null },
      loadedRoot: 's2-0',
    });
    expect(vm.roots().map((r) => [r.id, r.vcpus])).toEqual([['s2-0', [0]]]);
    expect(vm.tableBytes()).toBe(2 * 4096);
    expect(refusal(() => vm.mappings('s2-1'))).toEqual(['not_found', undefined, 'no root s2-1']);
  });

  it('a nested root is found by id behind a vCPU that has none', () => {
    const vm = arm64Vm(nestedHost, [], [{ id: 0 }, { id: 1, el2: true, lastRanNested: true }]);
    expect([vm.mappings('s2-1'), vm.walk('s2-1', '0x0').root.id]).toEqual([[], 's2-1']);
    expect(refusal(() => vm.walk('s2-7', '0x0'))).toEqual(['not_found', undefined, 'no root s2-7']);
  });
});

describe('the VM keeps the configuration it was created with (kvm_arch_init_vm)', () => {
  it('config is the input with the contract defaults filled in', () => {
    const vm = new Arm64Vm({ name: 'cfg', host: { granule: '16K' }, arm64: { ipaBits: 36 } });
    expect(vm.config).toEqual({
      name: 'cfg',
      kernel: '7.4',
      type: 'default',
      host: { granule: '16K', ipaLimit: 48, pkvm: false, nestedVirt: false, fwb: true, cacheDic: false },
      arm64: { ipaBits: 36 },
    });
  });
  it('an IPA size above the host limit is refused with the limit in the words (kvm_init_ipa_range)', () => {
    expect(refusal(() => new Arm64Vm({ name: 'x', host: { ipaLimit: 40 }, arm64: { ipaBits: 42 } }))).toEqual([
      'invalid',
      'arm64.ipaBits',
      'arm64.ipaBits must be an integer from 32 to host.ipaLimit (40) (kvm_init_ipa_range)',
    ]);
  });
});
