// The contract v2 vocabulary the arm64 and s390 engines share (api-contract.md "Additions
// (v2)"): level names of every arch, the 7.x kernel axis, and the pre-fault answer with the
// v2 row fields. Plain JSON like types.ts, u64 values as lower-case "0x..." strings.

import { kernelAtLeast } from './vm-config.js';
import type { ErrnoName, Hex, IoctlResult, KernelVersion, PreFaultInject } from './types.js';

/** Leaf and table sizes of all three arches (contract "Values": level names). */
export type ArchLevelName = '4K' | '16K' | '64K' | '1M' | '2M' | '32M' | '512M' | '1G' | '2G' | '16G';

/** Kernels the arm64 and s390 engines accept (contract v2: 7.0 … 7.4, default 7.4). */
export const ARCH_KERNELS = ['7.0', '7.1', '7.2', '7.3', '7.4'] as const satisfies readonly KernelVersion[];
export type ArchKernel = (typeof ARCH_KERNELS)[number];
export const archKernelAtLeast = (k: ArchKernel, min: ArchKernel): boolean => kernelAtLeast(k, min);

/** `backing` of a v2 memslot: the v1 fields plus the host folio/VMA kind and poisoned pages. */
export interface ArchBacking {
  pageSize?: ArchLevelName;
  hugetlb?: boolean;
  /** Guest addresses whose host page is poisoned (host-page aligned). */
  hwpoison?: Hex[];
  writable?: boolean;
  mapped?: boolean;
}

export type ArchMemslotFlag = 'readonly' | 'guest_memfd' | 'log_dirty_pages';

export interface ArchMemslotSpec {
  guestPhysAddr: Hex;
  size: Hex;
  userspaceAddr?: Hex;
  flags?: ArchMemslotFlag[];
  guestMemfdOffset?: Hex;
  backing?: ArchBacking;
}

export interface ArchPreFaultInject extends PreFaultInject {
  /** The first N fault attempts of the call find that an MMU-notifier invalidation ran (mmu_invalidate_retry). */
  invalidationRaces?: number;
}

export interface ArchPreFaultRequest {
  gpa: Hex;
  size: Hex;
  flags?: Hex;
  inject?: ArchPreFaultInject;
}

export type ArchIterationResult = 'FIXED' | 'SPURIOUS' | 'ERROR';

export interface ArchIterationRow {
  gpa: Hex;
  result: ArchIterationResult;
  level: ArchLevelName | null;
  consumed: Hex;
  count: number;
  errno: ErrnoName | null;
  reason?: string;
  /** arm64 only: "TRANSLATION_L0" … "TRANSLATION_L3", the synthetic fault's status code. */
  fsc?: string | null;
  /** arm64 only: 1–4 fault attempts, 0 when none was made. */
  attempts?: number;
}

/** A coalesced run of leaves (contract mapping row; `dirty` null where the format has none). */
export interface ArchMappingRow<Bits> {
  gpa: Hex;
  size: Hex;
  level: ArchLevelName;
  count: number;
  kind: 'ram';
  hostPfn: Hex;
  private: false;
  writable: boolean;
  executable: boolean;
  accessed: boolean;
  dirty: boolean | null;
  archBits: Bits;
}

export interface ArchPreFaultResult<Root, Bits> extends IoctlResult {
  range: { gpa: Hex; size: Hex; flags: Hex };
  iterations: ArchIterationRow[];
  root: Root | null;
  mapped: ArchMappingRow<Bits>[];
}
