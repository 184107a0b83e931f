// KVM MMU tracepoint events as arch/x86/kvm/mmu/mmutrace.h defines them (field names from
// TP_STRUCT__entry, camelCased; u64 fields as hex strings). The engine records them into an
// optional sink; src/labs formats them as `trace-cmd report` lines.
import { SimError } from '../errors.js';
import type { Hex } from '../u64.js';

export type TracepointEvent =
  | { name: 'kvm_mmu_spte_requested'; gfn: Hex; pfn: Hex; level: number }
  | { name: 'kvm_tdp_mmu_spte_changed'; asId: number; gfn: Hex; level: number; oldSpte: Hex; newSpte: Hex }
  | { name: 'kvm_mmu_set_spte'; gfn: Hex; spte: Hex; sptep: Hex; level: number }
  | { name: 'kvm_mmu_split_huge_page'; gfn: Hex; spte: Hex; level: number; errno: number }
  | { name: 'fast_page_fault'; vcpuId: number; cr2OrGpa: Hex; errorCode: Hex; sptep: Hex; oldSpte: Hex; newSpte: Hex; ret: number };

/** Receives a call's events in order: an array, or a sink that keeps only some (TraceWindow). */
export interface TracepointCollector {
  push(event: TracepointEvent): void;
}

/** Where a call's events go; undefined: tracing off. */
export type TracepointSink = TracepointCollector | undefined;

/**
 * A tracepoint sink that counts every event of a call but keeps only those numbered
 * [offset, offset + limit): a call's trace may run to millions of events, and what is
 * kept is bounded by the window asked for, not by the call.
 */
export class TraceWindow implements TracepointCollector {
  readonly events: TracepointEvent[] = [];
  /** Events the call emitted so far, kept or not. */
  total = 0;

  /** `stopAfter`: past this many events the call is abandoned (a SimError 'limit' on field "trace"): it bounds a trace's cost. */
  constructor(
    readonly offset: number,
    readonly limit: number,
    readonly stopAfter = Number.POSITIVE_INFINITY,
  ) {}

  push(event: TracepointEvent): void {
    if (this.total >= this.stopAfter) throw new SimError('limit', `the call emits more than ${this.stopAfter} events`, 'trace');
    if (this.total >= this.offset && this.events.length < this.limit) this.events.push(event);
    this.total += 1;
  }
}
