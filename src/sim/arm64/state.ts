// The state of one simulated arm64 VM (struct kvm + kvm_arch, reduced), as plain data so
// mmu.ts, prefault.ts, memslot.ts and inspect.ts can share it without importing each other.

import { ArchMemslotSet } from '../generic-memslots.js';
import { HOST_SIZES, S2Root, kvmGetVtcr, type HostSizes, type S2Geometry, type S2TableAllocator } from './pgtable.js';
import type { Arm64VmConfig } from './types.js';

export interface Arm64Vcpu {
  readonly id: number;
  initialized: boolean;
  readonly el2: boolean;
  lastRanNested: boolean;
  /** The shadow stage-2 this vCPU's hw_mmu points at while it runs the L2 (null otherwise). */
  nested: S2Root | null;
}

export interface Arm64State {
  readonly config: Arm64VmConfig;
  readonly geo: S2Geometry;
  /** 4K frames per host page (PAGE_SIZE / 4K). */
  readonly pageFrames: number;
  /** The host's PAGE / CONT_PTE / PMD / CONT_PMD / PUD sizes for this granule. */
  readonly hostSizes: HostSizes;
  readonly slots: ArchMemslotSet;
  /** kvm->arch.mmu: the canonical stage-2. */
  readonly canonical: S2Root;
  readonly vcpus: Map<number, Arm64Vcpu>;
  readonly tables: TableBudget;
  /** Counter for nested root ids. */
  nextRootId: number;
}

/** First table page frame: table pages get sequential addresses from here (in their granule). */
const TABLE_BASE_FRAME = 0x100000;

/** The VM's page-table pages: sequential output addresses, a byte budget past which faults get ENOMEM. */
export class TableBudget implements S2TableAllocator {
  private nextFrame = TABLE_BASE_FRAME;
  bytes = 0;
  constructor(
    private readonly pageFrames: number,
    private readonly maxBytes: number,
  ) {}

  alloc(pages: number): number {
    const bytes = pages * this.pageFrames * 4096;
    if (this.bytes + bytes > this.maxBytes) return -1;
    this.bytes += bytes;
    const f = this.nextFrame;
    this.nextFrame += pages * this.pageFrames;
    return f;
  }

  free(pages: number): void {
    this.bytes -= pages * this.pageFrames * 4096;
  }
}

/** kvm_arch_init_vm -> kvm_init_stage2_mmu: the canonical stage-2 and its pgd exist from creation. */
export function newArm64State(config: Arm64VmConfig, maxTableBytes: number): Arm64State {
  const geo = kvmGetVtcr(config.host.granule, config.arm64.ipaBits);
  const pageFrames = geo.levelFrames[3]!;
  const tables = new TableBudget(pageFrames, Math.max(maxTableBytes, geo.concatenated * pageFrames * 4096));
  return {
    config,
    geo,
    pageFrames,
    hostSizes: HOST_SIZES[config.host.granule],
    slots: new ArchMemslotSet(),
    canonical: new S2Root('s2-0', 's2-canonical', geo, tables),
    vcpus: new Map(),
    tables,
    nextRootId: 1,
  };
}
