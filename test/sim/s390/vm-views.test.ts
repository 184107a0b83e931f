// The s390 VM as the service sees it (contract v2 "VM", "vCPUs", "Memslots", "Page tables";
// spec part 2 §19.6): vCPU creation, the backings an s390 host can give a slot, the VM view's
// widths, and the read-only views of the gmap (roots, mappings, walk) at the ASCE's reach.
import { describe, expect, it } from 'vitest';
import { G2, K4, M1, hugeVm, hx, pf, s390Vm } from './helpers.js';

const refusal = (f: () => unknown): [string | undefined, string | undefined, string] | null => {
  try {
    f();
    return null;
  } catch (e) {
    const err = e as { code?: string; field?: string; message: string };
    return [err.code, err.field, err.message];
  }
};

describe('KVM_CREATE_VCPU on s390', () => {
  it('every vCPU loads the one gmap; the views list vCPUs in id order', () => {
    const vm = s390Vm({}, [], [10, 9, 2]);
    expect(vm.vcpus().map((v) => v.id)).toEqual([2, 9, 10]);
    expect(vm.roots()[0]!.vcpus).toEqual([2, 9, 10]);
    expect(vm.vcpus()[0]).toEqual({ id: 2, mmu: { kind: 'gmap', rootRole: null }, loadedRoot: 'gmap-0' });
  });
  it('a negative or fractional id is refused naming id; an existing one is a conflict', () => {
    const vm = s390Vm({}, [], [0]);
    expect([refusal(() => vm.createVcpu(-1)), refusal(() => vm.createVcpu(1.5)), refusal(() => vm.createVcpu(0))]).toEqual([
      ['invalid', 'id', 'id must be a non-negative integer'],
      ['invalid', 'id', 'id must be a non-negative integer'],
      ['conflict', 'id', 'vCPU 0 exists'],
    ]);
    expect(vm.vcpus().map((v) => v.id)).toEqual([0]);
  });
});

describe('the backing of an s390 memslot: host folios of 4K or 1M, or 2G hugetlb pages', () => {
  const create = (backing: object | undefined): ReturnType<typeof refusal> =>
    refusal(() => s390Vm().setMemslot(0, 0, { guestPhysAddr: '0x0', size: hx(G2), ...(backing ? { backing } : {}) }));
  it.each([[undefined], [{ pageSize: '4K' }], [{ pageSize: '1M' }], [{ pageSize: '2G', hugetlb: true }], [{ hugetlb: true }]])(
    '%j is accepted',
    (backing) => {
      expect(create(backing)).toBeNull();
    },
  );
  // hugetlb on s390 gives 1M (HPAGE_SIZE) or 2G (PUD) pages only: it does not make 2M or 64K a size.
  it.each([
    [{ pageSize: '2G' }],
    [{ pageSize: '2M' }],
    [{ pageSize: '64K' }],
    [{ pageSize: '2M', hugetlb: true }],
    [{ pageSize: '64K', hugetlb: true }],
  ])('%j is refused naming backing.pageSize', (backing) => {
    expect(create(backing)).toEqual([
      'invalid',
      'backing.pageSize',
      `backing.pageSize ${backing.pageSize} is not an s390 host folio size (4K, 1M, or 2G with hugetlb)`,
    ]);
  });
  it('the slot view keeps what was given', () => {
    const vm = s390Vm({}, [{ gpa: M1, size: M1, hva: 2 ** 40, backing: { pageSize: '1M' } }]);
    expect(vm.memslots()).toMatchObject([
      { addressSpace: 0, slot: 0, guestPhysAddr: hx(M1), size: hx(M1), userspaceAddr: hx(2 ** 40), backing: { pageSize: '1M', hugetlb: false } },
    ]);
  });
});

describe('dirty logging sets no level limit on s390 (spec §20: gmap_link has no dirty-log rule)', () => {
  it('a logging slot still gets 1M segment leaves, and turning logging on is accepted', () => {
    const vm = hugeVm([{ gpa: 0, size: G2, flags: ['log_dirty_pages'], backing: { pageSize: '1M' } }]);
    expect(pf(vm, 0, K4).iterations[0]!.level).toBe('1M');
    const other = hugeVm([{ gpa: 0, size: G2, backing: { pageSize: '1M' } }]);
    const r = other.setMemslot(0, 0, { guestPhysAddr: '0x0', size: hx(G2), userspaceAddr: hx(2 ** 40), flags: ['log_dirty_pages'] });
    expect([r.ret, r.memslot!.flags]).toEqual([0, ['log_dirty_pages']]);
  });
});

describe('the VM view: config, guestPhysBits (the bits the ASCE reaches), the UCONTROL VM', () => {
  it.each([
    ['0x80000000', 31],
    ['0x40000000000', 42],
    ['0x20000000000000', 53],
    ['0x40000000000000', 64],
  ])('memLimit %s: %i bits', (memLimit, bits) => {
    expect(s390Vm({ host: { maxStorage: '0xffffffffffff0000' }, s390: { memLimit } }).guestPhysBits).toBe(bits);
  });
  it('a UCONTROL VM reports what its mem_limit would give, and has no gmap to show', () => {
    const vm = s390Vm({ type: 'ucontrol', s390: { memLimit: hx(G2) } });
    expect([vm.guestPhysBits, vm.config.type, vm.config.s390.memLimit]).toEqual([31, 'ucontrol', hx(G2)]);
    expect([refusal(() => vm.mappings()), refusal(() => vm.walk('0x0'))]).toEqual([
      ['not_found', undefined, 'a UCONTROL VM has no gmap'],
      ['not_found', undefined, 'a UCONTROL VM has no gmap'],
    ]);
  });
});

describe('the walk at the ASCE reach (asce_end)', () => {
  const seg = (): ReturnType<typeof s390Vm> => s390Vm({ s390: { memLimit: hx(G2) } }, [{ gpa: G2 - M1, size: M1 }]);
  it('a segment-table root reaches below 2G: the last entry is index 2047', () => {
    const vm = seg();
    pf(vm, G2 - K4, K4);
    const w = vm.walk(hx(G2 - K4));
    expect(w.steps.map((s) => [s.table, s.index, s.gpaBase, s.leaf])).toEqual([
      ['segment', 2047, hx(G2 - M1), false],
      ['page', 255, hx(G2 - K4), true],
    ]);
    expect([w.gpa, w.leafLevel, w.root.asceType]).toEqual([hx(G2 - K4), '4K', 'segment']);
  });
  it('at 2G and beyond there is no table entry to show', () => {
    const vm = seg();
    expect([vm.walk(hx(G2)), vm.walk(hx(2 ** 52)).steps]).toEqual([{ root: vm.walk('0x0').root, gpa: hx(G2), steps: [], leafLevel: null }, []]);
  });
  it('a gpa that is not a u64 is refused naming gpa (the contract 400 names the field)', () => {
    const vm = seg();
    expect([refusal(() => vm.walk('0x10000000000000000'))?.slice(0, 2), refusal(() => vm.walk('4K'))?.slice(0, 2)]).toEqual([
      ['invalid', 'gpa'],
      ['invalid', 'gpa'],
    ]);
  });
  it('a region-2 root reaches below 8P', () => {
    const vm = s390Vm({ host: { maxStorage: '0xffffffffffff0000' }, s390: { memLimit: '0x20000000000000' } });
    expect([vm.walk(hx(2n ** 53n - 4096n)).steps.map((s) => [s.table, s.index]), vm.walk(hx(2n ** 53n)).steps]).toEqual([[['region2', 2047]], []]);
  });
});

describe('the views of large leaves', () => {
  it('a 1M leaf: the walk stops at the segment entry; a 2G leaf: at the region-3 entry', () => {
    const vm = hugeVm([
      { gpa: 0, size: M1, backing: { pageSize: '1M' } },
      { gpa: G2, size: G2, backing: { pageSize: '2G', hugetlb: true } },
    ]);
    pf(vm, 0, K4);
    pf(vm, G2, K4);
    const w1 = vm.walk(hx(M1 - K4));
    const w2 = vm.walk(hx(2 * G2 - K4));
    expect([w1.leafLevel, w1.steps.map((s) => [s.table, s.index, s.gpaBase, s.present, s.leaf])]).toEqual([
      '1M',
      [
        ['region3', 0, '0x0', true, false],
        ['segment', 0, '0x0', true, true],
      ],
    ]);
    expect([w2.leafLevel, w2.steps.map((s) => [s.table, s.index, s.gpaBase, s.leaf])]).toEqual(['2G', [['region3', 1, hx(G2), true]]]);
    expect([w1.steps[1]!.mapping, w2.steps[0]!.mapping]).toEqual(vm.mappings());
    expect(vm.roots()[0]!.counts).toEqual({ '4K': 0, '1M': 1, '2G': 1, tables: 2 });
  });
});
