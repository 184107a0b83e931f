// KVM MMU tracepoint events as arch/x86/kvm/mmu/mmutrace.h defines them (field names from
// TP_STRUCT__entry, camelCased; u64 fields as hex strings). The engine records them into an
// optional sink; src/labs formats them as `trace-cmd report` lines.
import type { Hex } from '../u64.js';

export type TracepointEvent =
  | { name: 'kvm_mmu_spte_requested'; gfn: Hex; pfn: Hex; level: number }
  | { name: 'kvm_tdp_mmu_spte_changed'; asId: number; gfn: Hex; level: number; oldSpte: Hex; newSpte: Hex }
  | { name: 'kvm_mmu_set_spte'; gfn: Hex; spte: Hex; sptep: Hex; level: number }
  | { name: 'kvm_mmu_split_huge_page'; gfn: Hex; spte: Hex; level: number; errno: number }
  | { name: 'fast_page_fault'; vcpuId: number; cr2OrGpa: Hex; errorCode: Hex; sptep: Hex; oldSpte: Hex; newSpte: Hex; ret: number };

/** Receives a call's events in order: an array, or a sink that keeps only some (sim/trace.ts TraceWindow). */
export interface TracepointCollector {
  push(event: TracepointEvent): void;
}

/** Where a call's events go; undefined: tracing off. */
export type TracepointSink = TracepointCollector | undefined;
