// The gmap's DAT tables (spec part 2 §19.6; dat.h, dat.c): what a table costs (a CRST table is
// 2048 entries of 8 bytes, CRST_ALLOC_ORDER 2 = 16K; a page table is struct page_table, 256 PTEs
// and their 256 PGSTEs, static_assert'ed to PAGE_SIZE), what the table budget refuses (the
// ENOMEM of the mmu cache top-up), where tables are linked, and that tables outlive the leaves.
import { describe, expect, it } from 'vitest';
import { G2, K4, M1, hx, pf, rows, s390Vm } from './helpers.js';

const K16 = 16 * 1024;
const TiB = 2 ** 40;
const huge1m = { host: { hpage: true }, s390: { hpage1m: true } };

describe('the table budget: a fault that needs one table more than the budget holds is ENOMEM', () => {
  // Region-3 root (16K) + segment table (16K) + page table (4K) map the first 4K page.
  it('root + segment table + page table: exactly enough for a 4K leaf, one byte less is ENOMEM', () => {
    const fits = s390Vm({}, [{ gpa: 0, size: M1 }], [0], 2 * K16 + K4);
    expect(rows(pf(fits, 0, K4))).toEqual(['0x0 FIXED 4K 0x1000 x1 -']);
    expect(fits.roots()[0]!.counts).toEqual({ '4K': 1, '1M': 0, '2G': 0, tables: 3 });

    const short = s390Vm({}, [{ gpa: 0, size: M1 }], [0], 2 * K16 + K4 - 1);
    const r = pf(short, 0, K4);
    expect([r.ret, rows(r), r.reason, r.range, r.mapped]).toEqual([
      -12,
      ['0x0 ERROR - 0x0 x1 ENOMEM'],
      'the DAT table budget is spent (kvm_s390_faultin_gfn)',
      { gpa: '0x0', size: hx(K4), flags: '0x0' },
      [],
    ]);
    // The segment table was linked before the page table failed; no leaf.
    expect(short.roots()[0]!.counts).toEqual({ '4K': 0, '1M': 0, '2G': 0, tables: 2 });
  });
  it('a 1M segment leaf needs no page table: root + segment table fit, one byte less is ENOMEM', () => {
    const slots = [{ gpa: 0, size: M1, backing: { pageSize: '1M' as const } }];
    expect(rows(pf(s390Vm(huge1m, slots, [0], 2 * K16), 0, K4))).toEqual([`0x0 FIXED 1M 0x1000 x1 -`]);
    const short = s390Vm(huge1m, slots, [0], 2 * K16 - 1);
    expect([rows(pf(short, 0, K4)), short.roots()[0]!.counts.tables]).toEqual([['0x0 ERROR - 0x0 x1 ENOMEM'], 1]);
  });
  it('the root table exists whatever the budget (gmap_new allocates it at VM creation) and counts against it', () => {
    // A budget of one page: the root still takes its 16K, so not even a page table fits after it.
    const vm = s390Vm({ s390: { memLimit: hx(G2) } }, [{ gpa: 0, size: M1 }], [0], K4);
    expect(vm.roots()[0]!.counts.tables).toBe(1);
    // A segment root needs only the page table: one 4K page beyond the root's 16K.
    expect(pf(vm, 0, K4).errno).toBe('ENOMEM');
    const seg = s390Vm({ s390: { memLimit: hx(G2) } }, [{ gpa: 0, size: M1 }], [0], K16 + K4);
    expect(pf(seg, 0, K4).ret).toBe(0);
  });
  it('progress hides the ENOMEM: the call answers 0 with the range left (kvm_vcpu_pre_fault_memory)', () => {
    // Page tables for the first two 1M frames fit, the third does not.
    const vm = s390Vm({}, [{ gpa: 0, size: 4 * M1 }], [0], 2 * K16 + 2 * K4);
    const r = pf(vm, 0, 3 * M1);
    expect([r.ret, rows(r), r.range.gpa, r.range.size]).toEqual([
      0,
      ['0x0 FIXED 4K 0x1000 x512 -', `${hx(2 * M1)} ERROR - 0x0 x1 ENOMEM`],
      hx(2 * M1),
      hx(M1),
    ]);
  });
});

/** The host frame a table-pointer step names (union crste .fc0.to), and the table type bits. */
const pointer = (spte: string): { frame: number; low: number } => ({ frame: Number(BigInt(spte) >> 12n), low: Number(BigInt(spte) & 0xfffn) });

describe('table pointers (union crste with FC = 0): each table in its own host frames', () => {
  it('a region-1 root down to a page table: TT of the entry names the table it sits in, origins do not overlap', () => {
    const vm = s390Vm({ host: { maxStorage: '0xffffffffffff0000' }, s390: { memLimit: '0x40000000000000' } }, [{ gpa: 0, size: M1 }]);
    pf(vm, 0, K4);
    const steps = vm.walk('0x0').steps;
    expect(steps.map((s) => [s.table, s.present, s.leaf])).toEqual([
      ['region1', true, false],
      ['region2', true, false],
      ['region3', true, false],
      ['segment', true, false],
      ['page', true, true],
    ]);
    // TT: region-1 0b11, region-2 0b10, region-3 0b01, segment 0b00 (bits 60-61); I clear. A
    // region entry also carries TL = _REGION_ENTRY_LENGTH (0b11, bits 62-63: dat_split_crste);
    // a segment entry is the page table's address alone (dat_split_ste).
    expect(steps.slice(0, 4).map((s) => pointer(s.spte).low)).toEqual([0b1111, 0b1011, 0b0111, 0]);
    // The root took the first 16K; every table after it starts where the one before ends:
    // three CRST tables of 16K, then the page table.
    const frames = steps.slice(0, 4).map((s) => pointer(s.spte).frame);
    expect(frames.map((f) => f - frames[0]!)).toEqual([0, 4, 8, 12]);
  });
  it('a page table takes one 4K frame: the next table starts one frame after it', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: 2 * G2 }]);
    pf(vm, 0, K4);
    pf(vm, G2, K4);
    const first = vm.walk('0x0').steps.map((s) => pointer(s.spte).frame);
    const second = vm.walk(hx(G2)).steps.map((s) => pointer(s.spte).frame);
    // [segment table, page table] then [segment table, page table]: 16K, 4K, 16K.
    expect([first[1]! - first[0]!, second[0]! - first[1]!, second[1]! - second[0]!]).toEqual([4, 1, 4]);
  });
});

describe('dat_entry_walk across table boundaries', () => {
  it('4K leaves across a page-table boundary and back: each gfn lands in its own table', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: 4 * M1 }]);
    // Up across the 1M boundary, then down into the first table again.
    expect(rows(pf(vm, M1 - 2 * K4, 4 * K4))).toEqual([`${hx(M1 - 2 * K4)} FIXED 4K 0x1000 x4 -`]);
    expect(rows(pf(vm, M1 - 3 * K4, K4))).toEqual([`${hx(M1 - 3 * K4)} FIXED 4K 0x1000 x1 -`]);
    expect(rows(pf(vm, M1 - 2 * K4, 4 * K4))).toEqual([`${hx(M1 - 2 * K4)} SPURIOUS 4K 0x1000 x4 -`]);
    const m = vm.mappings();
    expect(m.map((r) => [r.gpa, r.count, r.hostPfn])).toEqual([[hx(M1 - 3 * K4), 5, hx((TiB + M1 - 3 * K4) / K4)]]);
    expect(vm.walk(hx(M1)).steps.map((s) => [s.table, s.index])).toEqual([
      ['region3', 0],
      ['segment', 1],
      ['page', 0],
    ]);
    expect(vm.walk(hx(M1 - K4)).steps.map((s) => [s.table, s.index])).toEqual([
      ['region3', 0],
      ['segment', 0],
      ['page', 255],
    ]);
    expect(vm.roots()[0]!.counts).toEqual({ '4K': 5, '1M': 0, '2G': 0, tables: 4 });
  });
  it('a page-table walk and a segment link in another 1M frame do not share a table', () => {
    const vm = s390Vm(huge1m, [
      { gpa: 0, size: M1 },
      { gpa: M1, size: M1, backing: { pageSize: '1M' } },
    ]);
    pf(vm, M1 - K4, K4);
    expect(rows(pf(vm, M1, K4))).toEqual([`${hx(M1)} FIXED 1M 0x1000 x1 -`]);
    expect(vm.mappings().map((r) => [r.gpa, r.level])).toEqual([
      [hx(M1 - K4), '4K'],
      [hx(M1), '1M'],
    ]);
  });
});

describe('gmap_unmap_gfn_range on DELETE and MOVE: exactly the slot range loses its leaves', () => {
  it('deleting the middle slot keeps the last leaf before it and the first leaf after it', () => {
    const vm = s390Vm({}, [
      { gpa: 0, size: M1 },
      { gpa: M1, size: M1 },
      { gpa: 2 * M1, size: M1 },
    ]);
    pf(vm, 0, 3 * M1);
    vm.setMemslot(0, 1, { guestPhysAddr: hx(M1), size: '0x0' });
    expect(vm.mappings().map((r) => [r.gpa, r.count])).toEqual([
      ['0x0', 256],
      [hx(2 * M1), 256],
    ]);
    expect(vm.roots()[0]!.counts).toEqual({ '4K': 512, '1M': 0, '2G': 0, tables: 5 });
  });
  it('a large leaf of the deleted slot goes, and its entry is empty again', () => {
    const vm = s390Vm({ host: { hpage: true, hpage2g: true }, s390: { hpage1m: true, hpage2g: true } }, [
      { gpa: 0, size: M1, backing: { pageSize: '1M' } },
      { gpa: G2, size: G2, backing: { pageSize: '2G', hugetlb: true } },
    ]);
    pf(vm, 0, K4);
    pf(vm, G2, K4);
    vm.setMemslot(0, 1, { guestPhysAddr: hx(G2), size: '0x0' });
    expect(vm.mappings().map((r) => [r.gpa, r.level])).toEqual([['0x0', '1M']]);
    expect(vm.walk(hx(G2)).steps).toMatchObject([{ table: 'region3', index: 1, present: false, leaf: false, spte: '0x24' }]);
    expect(vm.roots()[0]!.counts).toEqual({ '4K': 0, '1M': 1, '2G': 0, tables: 2 });
  });
  it('MOVE unmaps the old range: the old gpa is a hole, the new one faults in afresh', () => {
    const vm = s390Vm({}, [{ gpa: 0, size: M1 }]);
    pf(vm, 0, K4);
    const moved = vm.setMemslot(0, 0, { guestPhysAddr: hx(4 * M1), size: hx(M1), userspaceAddr: hx(TiB) });
    expect([moved.ret, vm.mappings()]).toEqual([0, []]);
    expect([pf(vm, 0, K4).errno, rows(pf(vm, 4 * M1, K4))]).toEqual(['ENOENT', [`${hx(4 * M1)} FIXED 4K 0x1000 x1 -`]]);
    expect(vm.mappings()[0]!.hostPfn).toBe(hx(TiB / K4));
  });
});
