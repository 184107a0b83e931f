// kvm_tdp_mmu_map's choices that the other engine tests pass by: the goal level over a table
// no NX split made (disallowed_hugepage_adjust), the target-table shortcut after tables were
// freed, the trace of an MMIO SPTE, and the legacy prefetch after a huge leaf.
import { describe, expect, it } from 'vitest';
import type { Operation, TracepointEvent } from '../../src/sim/index.js';
import { MiB2, hx, makeVm, prefault, rows, setSlot } from './helpers.js';

const P = 0x1000;

describe('disallowed_hugepage_adjust lowers the goal only under a table an NX split made', () => {
  it('a 2M fault over a table left by a 4K slot replaces it with a 2M leaf (NX mitigation on)', () => {
    // With SLOT_ZAP_ALL off, deleting the slot zaps its leaves and keeps the tables.
    const vm = makeVm({ quirksDisabled: ['SLOT_ZAP_ALL'], host: { nxHugePages: true } }, [{ gpa: 0, size: MiB2, backing: { pageSize: '4K' } }]);
    expect(prefault(vm, 0, P).mapped.map((m) => m.level)).toEqual(['4K']);
    expect(setSlot(vm, { gpa: 0, size: 0 }, 0).ret).toBe(0);
    expect(setSlot(vm, { gpa: 0, size: MiB2, backing: { pageSize: '2M' } }, 0).ret).toBe(0);
    expect(prefault(vm, 0, P).mapped.map((m) => m.level)).toEqual(['2M']);
  });
});

describe('the target-table shortcut', () => {
  it('is not taken after tables were freed: a 4K fault after a 2M leaf replaced its old table links a new one', () => {
    const vm = makeVm({ quirksDisabled: ['SLOT_ZAP_ALL'] }, [{ gpa: 0, size: MiB2, backing: { pageSize: '4K' } }]);
    const reslot = (pageSize: '4K' | '2M') => {
      expect(setSlot(vm, { gpa: 0, size: 0 }, 0).ret).toBe(0); // zaps the leaves, keeps the tables
      expect(setSlot(vm, { gpa: 0, size: MiB2, backing: { pageSize } }, 0).ret).toBe(0);
    };
    prefault(vm, 0, P); // a 4K leaf: its table is the shortcut's target for 4K faults
    reslot('2M');
    prefault(vm, 0, P); // a 2M leaf over that table frees it
    reslot('4K');
    expect(prefault(vm, P, P).mapped.map((m) => [m.gpa, m.level])).toEqual([[hx(P), '4K']]);
    expect(rows(vm).map((m) => [m.gpa, m.level, m.count])).toEqual([[hx(P), '4K', 1]]);
  });
});

describe('tracepoints of the target level', () => {
  it('a new MMIO SPTE is not a kvm_mmu_set_spte (the kernel traces mark_mmio_spte there)', () => {
    const vm = makeVm({ host: { mmioCaching: true } }, [{ gpa: 0, size: MiB2 }]);
    const sink: TracepointEvent[] = [];
    const op: Operation = { op: 'access', vcpuId: 0, gpa: hx(0x40000000), kind: 'read' };
    vm.apply(op, { trace: sink });
    expect(sink.map((e) => e.name)).not.toContain('kvm_mmu_set_spte');
    expect(sink.map((e) => e.name)).toContain('kvm_mmu_spte_requested');
  });
});

describe('legacy TDP MMU: direct_pte_prefetch only after a 4K leaf', () => {
  it('a 2M leaf in a slot with room for neighbours prefetches none', () => {
    const vm = makeVm({ host: { tdpMmu: false } }, [{ gpa: 0, size: 8 * MiB2, backing: { pageSize: '2M' } }]);
    expect(prefault(vm, 0, P).mapped.map((m) => [m.gpa, m.level, m.count])).toEqual([[hx(0), '2M', 1]]);
    expect(rows(vm)).toHaveLength(1);
  });
});
