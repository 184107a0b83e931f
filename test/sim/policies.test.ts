// The three designs of spec §9 on every vCPU state: result, root role, address space.
import { describe, expect, it } from 'vitest';
import type { PrefaultPolicy, VcpuSpec } from '../../src/sim/index.js';
import { GiB, access, makeVm, prefault } from './helpers.js';

// AS0 maps [0, 1G); AS1 (SMRAM) maps only [1G, 1G+2M).
const slots = [
  { gpa: 0, size: GiB },
  { as: 1, slot: 0, gpa: GiB, size: 0x200000 },
];
const states: Record<string, VcpuSpec> = {
  normal: { id: 0 },
  smm: { id: 0, smm: true },
  l2Shadow: { id: 0, guestMode: true, nestedTdp: false },
  l2NestedTdp: { id: 0, guestMode: true, nestedTdp: true },
};

type Expect = { errno: string | null; root: string | null };
const R = (smm: boolean, l2: boolean, as: number): string => `smm=${smm} guestMode=${l2} as=${as}`;
const describeRoot = (r: { smm: boolean; guestMode: boolean; addressSpace: number } | null): string | null =>
  r ? R(r.smm, r.guestMode, r.addressSpace) : null;

// Per state: [result for an AS0 gpa, result for an AS1-only gpa].
const table: Record<PrefaultPolicy, Record<string, [Expect, Expect]>> = {
  // 9.1: map for the current MMU; SMM uses AS1; nested TDP fails at check G.
  upstream: {
    normal: [
      { errno: null, root: R(false, false, 0) },
      { errno: 'ENOENT', root: R(false, false, 0) },
    ],
    smm: [
      { errno: 'ENOENT', root: R(true, false, 1) },
      { errno: null, root: R(true, false, 1) },
    ],
    l2Shadow: [
      { errno: null, root: R(false, true, 0) },
      { errno: 'ENOENT', root: R(false, true, 0) },
    ],
    l2NestedTdp: [
      { errno: 'EOPNOTSUPP', root: null },
      { errno: 'EOPNOTSUPP', root: null },
    ],
  },
  // 9.2: clear SMM and force root_mmu: AS0 lookups; L2 keeps guest_mode=1 (patch text, S5).
  'switch-root-mmu': {
    normal: [
      { errno: null, root: R(false, false, 0) },
      { errno: 'ENOENT', root: R(false, false, 0) },
    ],
    smm: [
      { errno: null, root: R(false, false, 0) },
      { errno: 'ENOENT', root: R(false, false, 0) },
    ],
    l2Shadow: [
      { errno: null, root: R(false, true, 0) },
      { errno: 'ENOENT', root: R(false, true, 0) },
    ],
    l2NestedTdp: [
      { errno: null, root: R(false, true, 0) },
      { errno: 'ENOENT', root: R(false, true, 0) },
    ],
  },
  // 9.3: SMM or guest mode -> EOPNOTSUPP before the reload.
  'reject-smm-guest-mode': {
    normal: [
      { errno: null, root: R(false, false, 0) },
      { errno: 'ENOENT', root: R(false, false, 0) },
    ],
    smm: [
      { errno: 'EOPNOTSUPP', root: null },
      { errno: 'EOPNOTSUPP', root: null },
    ],
    l2Shadow: [
      { errno: 'EOPNOTSUPP', root: null },
      { errno: 'EOPNOTSUPP', root: null },
    ],
    l2NestedTdp: [
      { errno: 'EOPNOTSUPP', root: null },
      { errno: 'EOPNOTSUPP', root: null },
    ],
  },
};

describe('prefaultPolicy designs (spec §9)', () => {
  for (const [policy, byState] of Object.entries(table) as [PrefaultPolicy, Record<string, [Expect, Expect]>][]) {
    for (const [state, [as0, as1]] of Object.entries(byState)) {
      it(`${policy}: ${state} vCPU`, () => {
        const vm = makeVm({ prefaultPolicy: policy }, slots, [states[state]!]);
        const a = prefault(vm, 0x1000, 0x1000);
        expect({ errno: a.errno, root: describeRoot(a.root) }, 'AS0 gpa').toEqual(as0);
        const b = prefault(vm, GiB, 0x1000);
        expect({ errno: b.errno, root: describeRoot(b.root) }, 'AS1-only gpa').toEqual(as1);
      });
    }
  }

  it('reject-smm-guest-mode creates no root for a refused call (R1 precedes the reload)', () => {
    const vm = makeVm({ prefaultPolicy: 'reject-smm-guest-mode' }, slots, [{ id: 0, smm: true }]);
    prefault(vm, 0x1000, 0x1000);
    expect(vm.roots()).toEqual([]);
  });
  it('switch-root-mmu leaves the SMM root untouched and restores the vCPU context (S4)', () => {
    const vm = makeVm({ prefaultPolicy: 'switch-root-mmu' }, slots, [{ id: 0, smm: true }]);
    prefault(vm, 0x1000, 0x1000);
    expect(vm.vcpu(0)).toMatchObject({ smm: true, loadedRoot: null, mmu: { kind: 'tdp', rootRole: { smm: true } } });
    expect(vm.roots().map((r) => r.smm)).toEqual([false]);
  });
  it('switch-root-mmu unloads a loaded SMM root on entry, so the call maps for L1 (S2: kvm_mmu_reset_context)', () => {
    const vm = makeVm({ prefaultPolicy: 'switch-root-mmu' }, slots, [{ id: 0, smm: true }]);
    expect(access(vm, GiB).errno, 'a guest access in SMM loads the SMM root').toBeNull();
    const r = prefault(vm, 0x1000, 0x1000);
    expect({ errno: r.errno, root: describeRoot(r.root) }).toEqual({ errno: null, root: R(false, false, 0) });
    expect(vm.vcpu(0)).toMatchObject({ smm: true, loadedRoot: null });
  });
  it('every policy answers EOPNOTSUPP on a host without TDP (S1, R1, G)', () => {
    for (const policy of Object.keys(table) as PrefaultPolicy[]) {
      expect(prefault(makeVm({ prefaultPolicy: policy, host: { tdp: false } }, slots), 0, 0x1000).errno).toBe('EOPNOTSUPP');
    }
  });
  it('no policy changes the visible vCPU mode', () => {
    for (const policy of Object.keys(table) as PrefaultPolicy[]) {
      const vm = makeVm({ prefaultPolicy: policy }, slots, [states.l2NestedTdp!]);
      prefault(vm, 0, 0x1000);
      expect(vm.vcpu(0), policy).toMatchObject({ smm: false, guestMode: true, nestedTdp: true, mmu: { kind: 'nested-tdp-shadow', rootRole: null } });
    }
  });
  // kvm_arch_vcpu_pre_fault_memory's kvm_mmu_reload leaves the root loaded; only switch-root-mmu's
  // exit path (S4: kvm_mmu_reset_context -> kvm_mmu_unload) drops it, and only when S2 switched.
  it('the vCPU keeps its root loaded after the call unless switch-root-mmu switched it (S2, S4)', () => {
    const loaded: Record<PrefaultPolicy, Record<string, boolean>> = {
      upstream: { normal: true, smm: true, l2Shadow: true },
      'reject-smm-guest-mode': { normal: true },
      'switch-root-mmu': { normal: true, smm: false, l2Shadow: true, l2NestedTdp: false },
    };
    for (const [policy, byState] of Object.entries(loaded) as [PrefaultPolicy, Record<string, boolean>][]) {
      for (const [state, keeps] of Object.entries(byState)) {
        const vm = makeVm({ prefaultPolicy: policy }, slots, [states[state]!]);
        const r = prefault(vm, state === 'smm' && policy === 'upstream' ? GiB : 0x1000, 0x1000);
        expect([r.ret, vm.vcpu(0).loadedRoot], `${policy}: ${state}`).toEqual([0, keeps ? r.root!.id : null]);
      }
    }
  });
});
