// The trace formatter against lines written BY HAND from mmutrace.h's TP_printk formats and
// trace-cmd's line layout ("%16s-%-5d [%03d] %5lu.%06lu: %s: ", names padded to 20), not
// from the code under test. Values are those a 4K pre-fault of the selftest's GPA would
// produce on a fresh 4-level EPT root; every expected string was typed from the format.
import { describe, expect, it } from 'vitest';
import { traceEventInfo, traceReport } from '../../src/labs/trace-format.js';
import type { TracepointEvent } from '../../src/sim/mmu/tracepoint.js';

describe('trace-cmd report lines for one pre-fault (EPT)', () => {
  // kvm_tdp_mmu_map: spte_requested, then three tables linked (levels 4, 3, 2), then the
  // 4K leaf (handle_changed_spte -> kvm_tdp_mmu_spte_changed) and trace_kvm_mmu_set_spte.
  const events: TracepointEvent[] = [
    { name: 'kvm_mmu_spte_requested', gfn: '0x3fffffc00', pfn: '0x1ff7', level: 1 },
    { name: 'kvm_tdp_mmu_spte_changed', asId: 0, gfn: '0x3f8000000', level: 4, oldSpte: '0x0', newSpte: '0x12a007' },
    { name: 'kvm_tdp_mmu_spte_changed', asId: 0, gfn: '0x3fffc0000', level: 3, oldSpte: '0x0', newSpte: '0x12b007' },
    { name: 'kvm_tdp_mmu_spte_changed', asId: 0, gfn: '0x3fffffc00', level: 2, oldSpte: '0x0', newSpte: '0x12c007' },
    { name: 'kvm_tdp_mmu_spte_changed', asId: 0, gfn: '0x3fffffc00', level: 1, oldSpte: '0x0', newSpte: '0x1ff7035' },
    { name: 'kvm_mmu_set_spte', gfn: '0x3fffffc00', spte: '0x1ff7035', sptep: '0x12c000', level: 1 },
  ];

  it('prints each event with its TP_printk fields, in trace-cmd layout', () => {
    const want = [
      '       CPU 0/KVM-1000  [000]     7.000000: kvm_mmu_spte_requested: gfn 3fffffc00 pfn 1ff7 level 1',
      '       CPU 0/KVM-1000  [000]     7.000001: kvm_tdp_mmu_spte_changed: as id 0 gfn 3f8000000 level 4 old_spte 0 new_spte 12a007',
      '       CPU 0/KVM-1000  [000]     7.000002: kvm_tdp_mmu_spte_changed: as id 0 gfn 3fffc0000 level 3 old_spte 0 new_spte 12b007',
      '       CPU 0/KVM-1000  [000]     7.000003: kvm_tdp_mmu_spte_changed: as id 0 gfn 3fffffc00 level 2 old_spte 0 new_spte 12c007',
      '       CPU 0/KVM-1000  [000]     7.000004: kvm_tdp_mmu_spte_changed: as id 0 gfn 3fffffc00 level 1 old_spte 0 new_spte 1ff7035',
      // 0x35 on EPT: R (bit 0, shadow_user_mask -> u), X (bit 2), no W: "(r-xu)".
      '       CPU 0/KVM-1000  [000]     7.000005: kvm_mmu_set_spte:     gfn 3fffffc00 spte 1ff7035 (r-xu) level 1 at 12c000',
    ];
    expect(traceReport(events, { vendor: 'intel', vcpuId: 0, seconds: 7 })).toBe(want.map((l) => `${l}\n`).join(''));
  });

  it('names the vCPU thread and keeps columns for two-digit ids and long seqs', () => {
    const line = traceReport([events[0]!], { vendor: 'intel', vcpuId: 12, seconds: 123456 });
    expect(line).toBe('      CPU 12/KVM-1012  [000] 123456.000000: kvm_mmu_spte_requested: gfn 3fffffc00 pfn 1ff7 level 1\n');
  });
});

describe('per-event TP_printk details', () => {
  it('kvm_mmu_set_spte on NPT: x is NX clear, u is the U bit', () => {
    // P|U|NX: "(r--u)"; P|W|U, NX clear: "(rwxu)"; P only with NX: "(r---)".
    const e = (spte: string): TracepointEvent => ({ name: 'kvm_mmu_set_spte', gfn: '0x200', spte, sptep: '0xabc008', level: 2 });
    expect(traceEventInfo(e('0x8000000000200085'), 'amd')).toBe('gfn 200 spte 8000000000200085 (r--u) level 2 at abc008');
    expect(traceEventInfo(e('0x200087'), 'amd')).toBe('gfn 200 spte 200087 (rwxu) level 2 at abc008');
    expect(traceEventInfo(e('0x8000000000200081'), 'amd')).toBe('gfn 200 spte 8000000000200081 (r---) level 2 at abc008');
  });

  it('kvm_mmu_set_spte on EPT: an access-tracked (R and X cleared) writable leaf', () => {
    const e: TracepointEvent = { name: 'kvm_mmu_set_spte', gfn: '0x1', spte: '0x5002', sptep: '0x10', level: 1 };
    expect(traceEventInfo(e, 'intel')).toBe('gfn 1 spte 5002 (rw--) level 1 at 10');
  });

  it('kvm_mmu_split_huge_page prints a signed errno', () => {
    const e: TracepointEvent = { name: 'kvm_mmu_split_huge_page', gfn: '0x200', spte: '0x200b5', level: 2, errno: -12 };
    expect(traceEventInfo(e, 'intel')).toBe('gfn 200 spte 200b5 level 2 errno -12');
  });

  it('fast_page_fault: pferr flags, %p, %#llx of zero and non-zero, spurious/fixed from ret', () => {
    const base = { name: 'fast_page_fault' as const, vcpuId: 3, cr2OrGpa: '0x7f00000', sptep: '0xffff888101234008', newSpte: '0x1ff7b37' };
    // RET_PF_SPURIOUS is 6, RET_PF_FIXED 5 (mmu_internal.h, 6.12+).
    expect(traceEventInfo({ ...base, errorCode: '0x3', oldSpte: '0x0', ret: 6 }, 'intel')).toBe(
      'vcpu 3 gva 7f00000 error_code P|W sptep 0xffff888101234008 old 0 new 1ff7b37 spurious 1 fixed 0',
    );
    expect(traceEventInfo({ ...base, errorCode: '0x0', oldSpte: '0x1ff7b35', ret: 5 }, 'intel')).toBe(
      'vcpu 3 gva 7f00000 error_code  sptep 0xffff888101234008 old 0x1ff7b35 new 1ff7b37 spurious 0 fixed 1',
    );
    // error_code is a u64 field (v6.9+): bits without a name (5, PFERR_GUEST_FINAL 32) print as one 0x%lx.
    expect(traceEventInfo({ ...base, errorCode: '0x100000033', oldSpte: '0x0', ret: 1 }, 'intel')).toBe(
      'vcpu 3 gva 7f00000 error_code P|W|F|0x100000020 sptep 0xffff888101234008 old 0 new 1ff7b37 spurious 0 fixed 0',
    );
  });
});
