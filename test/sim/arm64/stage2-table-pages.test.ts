// The stage-2's table pages (spec part 2 §18.7, §18.10): each table is one host page
// (kvm_pgtable_stage2_map takes PAGE_SIZE pages from the vCPU's memcache, topped up by
// kvm_mmu_topup_memory_cache), the pgd is allocated whole at VM creation (kvm_init_stage2_mmu),
// and a table descriptor holds its own next-table PA (valid + type=1 + next-table PA).
import { describe, expect, it } from 'vitest';
import type { Granule } from '../../../src/sim/arm64/pgtable.js';
import { Arm64Vm } from '../../../src/sim/arm64/vm.js';
import { G1, arm64Vm, counts, hx, pf } from './helpers.js';

const PAGE: Record<Granule, number> = { '4K': 0x1000, '16K': 0x4000, '64K': 0x10000 };

describe('kvm_init_stage2_mmu + kvm_pgtable_stage2_map: every table page is PAGE_SIZE bytes', () => {
  // [granule, tables at creation (the pgd), tables after one PAGE_SIZE fault] for a 40-bit IPA.
  it.each([
    ['4K', 2, 4],
    ['16K', 16, 17],
    ['64K', 1, 2],
  ] as [Granule, number, number][])('%s host: %i pgd pages, %i tables after one fault, each a host page', (granule, pgd, after) => {
    const vm = arm64Vm({ host: { granule } }, [{ gpa: G1, size: G1 }]);
    expect([counts(vm).tables, vm.tableBytes()]).toEqual([pgd, pgd * PAGE[granule]]);
    expect(pf(vm, G1, PAGE[granule]).ret).toBe(0);
    expect([counts(vm).tables, vm.tableBytes()]).toEqual([after, after * PAGE[granule]]);
  });

  it('a nested stage-2 released when its vCPU leaves nested gives back its pgd pages (16K host: 16 x 16K)', () => {
    const vm = arm64Vm({ host: { granule: '16K', nestedVirt: true } }, [], [{ id: 0, el2: true, lastRanNested: true }]);
    expect(vm.tableBytes()).toBe(2 * 16 * 0x4000);
    vm.patchVcpu(0, { lastRanNested: false });
    expect(vm.tableBytes()).toBe(16 * 0x4000);
  });
});

describe('kvm_init_stage2_mmu: the pgd exists whatever is left for faults', () => {
  it.each(['4K', '16K', '64K'] as Granule[])('%s host, no table budget: the VM has its pgd; the first fault needing a table is ENOMEM', (granule) => {
    const vm = new Arm64Vm({ name: 't', host: { granule } }, 0);
    vm.setMemslot(0, 0, { guestPhysAddr: hx(G1), size: hx(G1) });
    vm.createVcpu({ id: 0 });
    const pgd = vm.archView().concatenatedTables;
    expect([counts(vm).tables, vm.tableBytes()]).toEqual([pgd, pgd * PAGE[granule]]);
    const r = pf(vm, G1, PAGE[granule]);
    expect([r.ret, r.errno, vm.mappings()]).toEqual([-12, 'ENOMEM', []]);
  });
});

describe('table descriptors: each next-table PA is its own PAGE_SIZE-aligned page', () => {
  it.each(['4K', '16K', '64K'] as Granule[])('%s host: the tables of three faults far apart are distinct, aligned pages', (granule) => {
    // 4 GiB apart: no two of these share a table below the pgd on any granule at IPA 40.
    const gpas = [G1, 5 * G1, 9 * G1];
    const vm = arm64Vm(
      { host: { granule } },
      gpas.map((gpa) => ({ gpa, size: G1 })),
    );
    for (const gpa of gpas) expect(pf(vm, gpa, PAGE[granule]).ret).toBe(0);
    const tablePas = gpas.flatMap((gpa) =>
      vm
        .walk('s2-0', hx(gpa))
        .steps.filter((s) => s.present && !s.leaf)
        .map((s) => BigInt(s.spte) & 0xfffffffff000n),
    );
    expect(tablePas.length).toBe(counts(vm).tables! - vm.archView().concatenatedTables);
    expect(new Set(tablePas).size).toBe(tablePas.length);
    expect(tablePas.filter((pa) => pa % BigInt(PAGE[granule]) !== 0n)).toEqual([]);
  });
});
