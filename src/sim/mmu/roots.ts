// VM-wide TDP roots (kvm->arch.tdp_mmu_roots), keyed by role and shared by every vCPU
// whose role matches. Also the VM's page-table allocator, so limits and counts live in
// one place.

import type { RootRef } from '../types.js';
import { roleView, sameRole, type RootRole } from './role.js';
import { PageTable, TABLE_BYTES } from './table.js';

export interface LeafCounts {
  '4K': number;
  '2M': number;
  '1G': number;
  tables: number;
  mmio: number;
}

export class TdpRoot {
  /** Set by a zap-all (kvm_mmu_zap_all_fast): the root is obsolete and will not be reused. */
  invalid = false;
  readonly counts: LeafCounts = { '4K': 0, '2M': 0, '1G': 0, tables: 1, mmio: 0 };

  /** is_accessed_spte / is_dirty_spte fall back to tracking and W (no A/D bits, up to 6.12). */
  readonly noAdPredicates: boolean;

  constructor(
    readonly id: string,
    readonly role: RootRole,
    readonly table: PageTable,
    adBitsAlways: boolean,
  ) {
    this.noAdPredicates = role.adDisabled && !adBitsAlways;
  }

  ref(): RootRef {
    return { id: this.id, ...roleView(this.role) };
  }
}

/**
 * The table the previous fault installed into, per goal level. While it is still linked
 * (no table freed or root invalidated since: the generation tells), a fault for a gfn it
 * covers reaches the same entry a walk from the root would, without the walk. Per VM, so
 * a deleted VM's tables are not kept alive by it.
 */
export interface TargetTableCache {
  root: TdpRoot | null;
  generation: number;
  table: PageTable | null;
}

/** Thrown inside the fault path when the VM's page-table budget is spent; becomes ENOMEM. */
export class TableBudgetExceeded extends Error {}

export class RootSet {
  private readonly list: TdpRoot[] = [];
  private nextId = 0;
  /** Deterministic "physical" frames for table pages, so SPTE values are reproducible. */
  private nextTablePfn = 0x100000;
  private tableCount = 0;
  /** Bumped whenever tables are freed or roots invalidated: cached walk results die with it. */
  generation = 0;
  readonly targetCache: TargetTableCache[] = [0, 1, 2, 3, 4].map(() => ({ root: null, generation: -1, table: null }));

  constructor(
    private readonly maxTableBytes: number,
    /** 6.13+: KVM writes A/D bits even where hardware A/D is off. */
    private readonly adBitsAlways: boolean,
  ) {}

  /** Valid roots in allocation order. */
  valid(): TdpRoot[] {
    return this.list.filter((r) => !r.invalid);
  }

  byId(id: string): TdpRoot | undefined {
    return this.list.find((r) => r.id === id && !r.invalid);
  }

  /** kvm_tdp_mmu_alloc_root: reuse a valid root with the same role word, else allocate one. */
  getOrAlloc(role: RootRole): TdpRoot {
    const found = this.list.find((r) => !r.invalid && sameRole(r.role, role));
    if (found) return found;
    const root = new TdpRoot(`r${this.nextId++}`, role, this.allocTable(role.level, 0), this.adBitsAlways);
    this.list.push(root);
    return root;
  }

  /** tdp_mmu_alloc_sp: one 4 KiB table page, charged to the VM's budget. */
  allocTable(level: number, gfn: number): PageTable {
    if ((this.tableCount + 1) * TABLE_BYTES > this.maxTableBytes) throw new TableBudgetExceeded();
    this.tableCount++;
    return new PageTable(level, gfn, this.nextTablePfn++);
  }

  freeTables(n: number): void {
    this.tableCount -= n;
    this.generation++;
  }

  tableBytes(): number {
    return this.tableCount * TABLE_BYTES;
  }

  /**
   * kvm_mmu_zap_all_fast: every root becomes obsolete and kvm_tdp_mmu_zap_invalidated_roots
   * frees its child tables; the root page itself goes with its last reference (prune).
   */
  invalidateAll(): void {
    for (const r of this.list) {
      if (!r.invalid) {
        r.invalid = true;
        this.freeTables(r.counts.tables - 1);
      }
    }
  }

  /** kvm_tdp_mmu_put_root: an obsolete root nobody references any more frees its root page. */
  prune(referenced: (root: TdpRoot) => boolean): void {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const r = this.list[i]!;
      if (r.invalid && !referenced(r)) {
        this.list.splice(i, 1);
        this.freeTables(1);
      }
    }
  }
}
