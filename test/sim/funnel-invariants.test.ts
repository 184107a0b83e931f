// The funnel's SPTE invariants (mmu/set-spte.ts): what tdp_mmu.c WARNs or BUGs on. Every
// test runs with them on (test/helpers/spte-invariants.ts), so these cases check that each
// broken invariant is caught, and that the checks can be turned off as in production.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, withVmDefaults, type TracepointEvent } from '../../src/sim/index.js';
import { tdpRootRole } from '../../src/sim/mmu/role.js';
import { checkSpteInvariants, tdpMmuLinkSp, tdpMmuSetSpte } from '../../src/sim/mmu/set-spte.js';
import { SPTE_HOST_WRITABLE, SPTE_HUGE, SPTE_MMIO, SPTE_PRESENT, SPTE_WRITABLE, makeSpte } from '../../src/sim/mmu/spte.js';
import { newVmState } from '../../src/sim/state.js';
import { MiB2, makeVm, prefault } from './helpers.js';

const LEAF = SPTE_PRESENT | SPTE_WRITABLE | SPTE_HOST_WRITABLE;

/** A VM state with one 4-level root and the tables down to a 4K table at gfn 0. */
function tables() {
  const state = newVmState(withVmDefaults({ name: 'x' }), DEFAULT_LIMITS);
  const root = state.roots.getOrAlloc(tdpRootRole(state.config.host, { maxPhysAddr: 46, smm: false, guestMode: false, nestedTdp: true }));
  let table = root.table;
  const path = [table];
  while (table.level > 1) {
    const child = state.roots.allocTable(table.level - 1, 0);
    tdpMmuLinkSp(state, root, table, 0, child);
    table = child;
    path.push(table);
  }
  return { state, root, pt: path.at(-1)!, pd: path.at(-2)! };
}

afterEach(() => checkSpteInvariants(true));

describe('handle_changed_spte checks', () => {
  it('BUG: a present leaf replaced by a present leaf with another pfn', () => {
    const { state, root, pt } = tables();
    tdpMmuSetSpte(state, root, pt, 3, makeSpte(0x1000, LEAF));
    expect(() => tdpMmuSetSpte(state, root, pt, 3, makeSpte(0x2000, LEAF))).toThrow(/present leaf replaced by a present leaf with another pfn/);
    // The same pfn with other bits (write-protect) is allowed.
    expect(() => tdpMmuSetSpte(state, root, pt, 3, makeSpte(0x1000, LEAF & ~SPTE_WRITABLE))).not.toThrow();
  });
  it('WARN: a non-present SPTE replaced by another non-present one that is not MMIO', () => {
    const { state, root, pt } = tables();
    expect(() => tdpMmuSetSpte(state, root, pt, 4, makeSpte(7, 0))).toThrow(/non-present SPTE replaced/);
    expect(() => tdpMmuSetSpte(state, root, pt, 5, makeSpte(5, SPTE_MMIO))).not.toThrow();
  });
  it('WARN: a table pointer replaced by a pointer to another table', () => {
    const { state, root, pd } = tables();
    const other = state.roots.allocTable(1, 0);
    expect(() => tdpMmuSetSpte(state, root, pd, 0, makeSpte(other.pfn, SPTE_PRESENT), other)).toThrow(/pointer to another table/);
  });
  it('check_spte_writable_invariants: W without MMU-writable', () => {
    const { state, root, pt } = tables();
    expect(() => tdpMmuSetSpte(state, root, pt, 6, makeSpte(0x1000, SPTE_PRESENT | SPTE_WRITABLE))).toThrow(/not MMU-writable/);
  });
});

describe('the entry itself: a level KVM has and a gfn aligned to it', () => {
  it('level outside PG_LEVEL_4K..PT64_ROOT_MAX_LEVEL', () => {
    const { state, root } = tables();
    for (const level of [0, 6]) {
      const table = state.roots.allocTable(level, 0);
      expect(() => tdpMmuSetSpte(state, root, table, 0, makeSpte(0x1000, LEAF))).toThrow(/level outside/);
    }
  });
  it('gfn not aligned to its level', () => {
    const { state, root } = tables();
    // A 2M-level table whose entries start one 4K page past a 2M boundary.
    const skewed = state.roots.allocTable(2, 1);
    expect(() => tdpMmuSetSpte(state, root, skewed, 0, makeSpte(0x200, LEAF | SPTE_HUGE))).toThrow(/gfn not aligned to its level/);
    const aligned = state.roots.allocTable(2, 0);
    expect(() => tdpMmuSetSpte(state, root, aligned, 0, makeSpte(0x200, LEAF | SPTE_HUGE))).not.toThrow();
  });
});

describe('a new table pointer must point at the right child (get_external_spt)', () => {
  it('level mismatch', () => {
    const { state, root, pd } = tables();
    const wrong = state.roots.allocTable(2, 512);
    expect(() => tdpMmuSetSpte(state, root, pd, 1, makeSpte(wrong.pfn, SPTE_PRESENT), wrong)).toThrow(/child table level mismatch/);
  });
  it('gfn mismatch', () => {
    const { state, root, pd } = tables();
    const wrong = state.roots.allocTable(1, 0);
    expect(() => tdpMmuSetSpte(state, root, pd, 1, makeSpte(wrong.pfn, SPTE_PRESENT), wrong)).toThrow(/child table gfn mismatch/);
  });
  it('a table pointer without its child table, or with a child at another pfn', () => {
    const { state, root, pd } = tables();
    const child = state.roots.allocTable(1, 512);
    expect(() => tdpMmuSetSpte(state, root, pd, 1, makeSpte(child.pfn, SPTE_PRESENT))).toThrow(/table pointer without its child table/);
    expect(() => tdpMmuSetSpte(state, root, pd, 1, makeSpte(child.pfn + 1, SPTE_PRESENT), child)).toThrow(/table pointer without its child table/);
    expect(() => tdpMmuSetSpte(state, root, pd, 1, makeSpte(child.pfn, SPTE_PRESENT), child)).not.toThrow();
  });
  it('a huge leaf needs no child', () => {
    const { state, root, pd } = tables();
    expect(() => tdpMmuSetSpte(state, root, pd, 2, makeSpte(0x400, LEAF | SPTE_HUGE))).not.toThrow();
  });
});

describe('off', () => {
  it('writes unchecked (the production default)', () => {
    const { state, root, pt } = tables();
    checkSpteInvariants(false);
    tdpMmuSetSpte(state, root, pt, 3, makeSpte(0x1000, LEAF));
    expect(() => tdpMmuSetSpte(state, root, pt, 3, makeSpte(0x2000, LEAF))).not.toThrow();
  });
});

describe('the bug the checks found: a CoW break goes through the mmu_notifier (kvm_unmap_gfn_range)', () => {
  it('a guest write to a zero-page leaf zaps it before the fault maps the new page', () => {
    const vm = makeVm({}, [{ gpa: 0, size: MiB2, backing: { writable: false }, userspaceAddr: '0x7f0000000000' }]);
    prefault(vm, 0, 0x1000);
    const sink: TracepointEvent[] = [];
    expect((vm.apply({ op: 'access', vcpuId: 0, gpa: '0x0', kind: 'write' }, { trace: sink }) as { ret: number }).ret).toBe(0);
    const changes = sink.filter((e) => e.name === 'kvm_tdp_mmu_spte_changed' && e.level === 1) as { oldSpte: string; newSpte: string }[];
    expect(changes.map((e) => [BigInt(e.oldSpte) === 0n, BigInt(e.newSpte) === 0n])).toEqual([
      [false, true],
      [true, false],
    ]);
  });
});
