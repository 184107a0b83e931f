// Found by mutation testing (docs/engine.md, "Mutation testing"): the SPTE a walk shows is
// the vendor's hardware layout, and only one case (an EPT 2M leaf) was checked. Bit
// positions, derived by hand: EPT entries (Intel SDM vol. 3, "EPT paging-structure
// entries"): R 0, W 1, X 2, PS 7, A 8, D 9; NPT uses the x86 PTE (AMD APM vol. 2,
// "Long-mode page translation"): P 0, R/W 1, U/S 2, A 5, D 6, PS 7, NX 63. KVM's MMIO
// SPTE: on EPT bits 2:0 = 110b, write/execute without read, an EPT misconfiguration
// (spte.c kvm_mmu_set_ept_masks, VMX_EPT_MISCONFIG_WX_VALUE); on NPT present with the
// reserved bits up to 51 set (spte.c kvm_mmu_reset_all_pte_masks).
import { describe, expect, it } from 'vitest';
import { MiB2, makeVm, prefault } from './helpers.js';
import type { Vm } from '../../src/sim/index.js';

const PFN_MASK = ((1n << 40n) - 1n) << 12n;
const bit = (v: bigint, n: number): number => Number((v >> BigInt(n)) & 1n);
const steps = (vm: Vm, gpa: number) => vm.walk(vm.roots()[0]!.id, BigInt(gpa)).steps;
const leafSpte = (vm: Vm, gpa: number): bigint => BigInt(steps(vm, gpa).at(-1)!.spte);

describe('hardware SPTE layout in a walk', () => {
  it('EPT 4K leaf over writable memory: R W X and D (a pre-fault never sets A), no PS', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, backing: { writable: true } }]);
    prefault(vm, 0x5000, 0x1000);
    const spte = leafSpte(vm, 0x5000);
    expect([0, 1, 2, 7, 8, 9].map((n) => bit(spte, n))).toEqual([1, 1, 1, 0, 0, 1]);
    expect(spte & PFN_MASK).not.toBe(0n);
  });

  it('EPT 4K leaf over memory the host has not made writable: R X only', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, backing: { writable: false } }]);
    prefault(vm, 0x5000, 0x1000);
    expect([0, 1, 2, 7, 8, 9].map((n) => bit(leafSpte(vm, 0x5000), n))).toEqual([1, 0, 1, 0, 0, 0]);
  });

  it('EPT table entries above the leaf: R W X, never PS', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, backing: { writable: false } }]);
    prefault(vm, 0x5000, 0x1000);
    const path = steps(vm, 0x5000);
    expect(path.map((s) => s.level)).toEqual([4, 3, 2, 1]);
    for (const s of path.slice(0, -1))
      expect(
        [0, 1, 2, 7].map((n) => bit(BigInt(s.spte), n)),
        `level ${s.level}`,
      ).toEqual([1, 1, 1, 0]);
  });

  it('NPT 4K leaf: P W U and D, no A, no PS, executable (NX clear)', () => {
    const vm = makeVm({ host: { vendor: 'amd' } }, [{ gpa: 0, size: MiB2, backing: { writable: true } }]);
    prefault(vm, 0x5000, 0x1000);
    const spte = leafSpte(vm, 0x5000);
    expect([0, 1, 2, 5, 6, 7, 63].map((n) => bit(spte, n))).toEqual([1, 1, 1, 0, 1, 0, 0]);
  });

  it('NPT table entries: P W U, no PS, no NX', () => {
    const vm = makeVm({ host: { vendor: 'amd' } }, [{ gpa: 0, size: MiB2 }]);
    prefault(vm, 0x5000, 0x1000);
    const path = steps(vm, 0x5000);
    for (const s of path.slice(0, -1))
      expect(
        [0, 1, 2, 7, 63].map((n) => bit(BigInt(s.spte), n)),
        `level ${s.level}`,
      ).toEqual([1, 1, 1, 0, 0]);
  });

  it('NPT 2M leaf with NX huge pages: PS and NX set', () => {
    const vm = makeVm({ host: { vendor: 'amd', nxHugePages: true } }, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M', writable: true } }]);
    prefault(vm, 0, MiB2);
    const last = steps(vm, 0).at(-1)!;
    expect(last.level).toBe(2);
    expect([0, 7, 63].map((n) => bit(BigInt(last.spte), n))).toEqual([1, 1, 1]);
  });

  it('MMIO SPTE: EPT W and X without R; NPT present with reserved bit 51', () => {
    const intel = makeVm({}, []);
    expect(prefault(intel, 0x5000, 0x1000).errno).toBe('ENOENT');
    const e = leafSpte(intel, 0x5000);
    expect([0, 1, 2].map((n) => bit(e, n))).toEqual([0, 1, 1]);
    const amd = makeVm({ host: { vendor: 'amd' } }, []);
    expect(prefault(amd, 0x5000, 0x1000).errno).toBe('ENOENT');
    const a = leafSpte(amd, 0x5000);
    expect([0, 51].map((n) => bit(a, n))).toEqual([1, 1]);
  });

  it('EPT without A/D bits: a pre-faulted leaf is access-tracked, R and X cleared', () => {
    const vm = makeVm({ host: { adBits: false } }, [{ gpa: 0, size: MiB2, backing: { writable: true } }]);
    prefault(vm, 0x5000, 0x1000);
    const spte = leafSpte(vm, 0x5000);
    expect([bit(spte, 0), bit(spte, 2), bit(spte, 8)]).toEqual([0, 0, 0]);
    expect(steps(vm, 0x5000).at(-1)!.leaf).toBe(true);
  });
});
