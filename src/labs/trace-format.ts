// KVM MMU tracepoint events as `trace-cmd report` prints them, so a student can hold the
// simulation against `trace-cmd record -e kvmmmu` on a real host. Each event's text is its
// TP_printk from arch/x86/kvm/mmu/mmutrace.h (mainline 6.x, see docs/tracing.md for the
// revision read); the line prefix is trace-cmd's "%16s-%-5d [%03d] %5lu.%06lu: %s: " with
// event names padded to 20 columns (trace-cmd's print_event_name). Pure: no engine state.
import { RET_PF_FIXED, RET_PF_SPURIOUS } from '../sim/mmu/fault.js';
import type { TracepointEvent } from '../sim/mmu/tracepoint.js';
import type { Hex, Vendor } from '../sim/index.js';

/** Who "ran" the events: a real trace names the VMM's vCPU thread. */
export interface TraceContext {
  vendor: Vendor;
  /** The vCPU the ioctl or access ran on; names the thread ("CPU 0/KVM", QEMU's name). */
  vcpuId: number;
  /** Seconds part of the synthetic timestamps (the operation's seq); one µs per event. */
  seconds: number;
}

const big = (h: Hex): bigint => BigInt(h);
/** printf %llx: lower-case hex, no prefix. */
const llx = (h: Hex): string => big(h).toString(16);
/** printf %#llx: "0x" prefix except for zero, which C prints as plain "0". */
const altLlx = (h: Hex): string => (big(h) === 0n ? '0' : `0x${llx(h)}`);
/** glibc %p as libtraceevent renders a pointer field: "0x..." ("(nil)" for NULL). */
const ptr = (h: Hex): string => (big(h) === 0n ? '(nil)' : `0x${llx(h)}`);

/** kvm_mmu_trace_pferr_flags for __print_flags(error_code, "|", ...); leftover bits as 0x%lx. */
const PFERR_FLAGS: [bigint, string][] = [
  [1n << 0n, 'P'],
  [1n << 1n, 'W'],
  [1n << 2n, 'U'],
  [1n << 3n, 'RSVD'],
  [1n << 4n, 'F'],
];

/** __print_flags as trace_print_flags_seq does it (error_code is a u64 field since v6.9). */
function pferrFlags(errorCode: Hex): string {
  let v = big(errorCode);
  const out: string[] = [];
  for (const [mask, name] of PFERR_FLAGS) {
    if (v === 0n) break;
    if ((v & mask) !== mask) continue;
    out.push(name);
    v &= ~mask;
  }
  if (v !== 0n) out.push(`0x${v.toString(16)}`);
  return out.join('|');
}

/**
 * The (rwxu) letters of kvm_mmu_set_spte's TP_fast_assign for the vendor's masks
 * (kvm_mmu_set_ept_masks / kvm_mmu_reset_all_pte_masks): r is always set because
 * shadow_present_mask is non-zero on both (EPT: SUPPRESS_VE; NPT: P); w is bit 1 on both;
 * x is is_executable_pte (EPT: X bit 2; NPT: NX bit 63 clear); u is shadow_user_mask
 * (EPT: R bit 0; NPT: U bit 2).
 */
function setSpteAccess(spte: Hex, vendor: Vendor): string {
  const v = big(spte);
  const bit = (n: bigint): boolean => ((v >> n) & 1n) === 1n;
  const x = vendor === 'intel' ? bit(2n) : !bit(63n);
  const u = vendor === 'intel' ? bit(0n) : bit(2n);
  return `r${bit(1n) ? 'w' : '-'}${x ? 'x' : '-'}${u ? 'u' : '-'}`;
}

/** The event's TP_printk text. */
export function traceEventInfo(e: TracepointEvent, vendor: Vendor): string {
  switch (e.name) {
    case 'kvm_mmu_spte_requested':
      return `gfn ${llx(e.gfn)} pfn ${llx(e.pfn)} level ${e.level}`;
    case 'kvm_tdp_mmu_spte_changed':
      return `as id ${e.asId} gfn ${llx(e.gfn)} level ${e.level} old_spte ${llx(e.oldSpte)} new_spte ${llx(e.newSpte)}`;
    case 'kvm_mmu_set_spte':
      return `gfn ${llx(e.gfn)} spte ${llx(e.spte)} (${setSpteAccess(e.spte, vendor)}) level ${e.level} at ${llx(e.sptep)}`;
    case 'kvm_mmu_split_huge_page':
      return `gfn ${llx(e.gfn)} spte ${llx(e.spte)} level ${e.level} errno ${e.errno}`;
    case 'fast_page_fault':
      return (
        `vcpu ${e.vcpuId} gva ${llx(e.cr2OrGpa)} error_code ${pferrFlags(e.errorCode)} sptep ${ptr(e.sptep)} ` +
        `old ${altLlx(e.oldSpte)} new ${llx(e.newSpte)} spurious ${e.ret === RET_PF_SPURIOUS ? 1 : 0} fixed ${e.ret === RET_PF_FIXED ? 1 : 0}`
      );
  }
}

const SIMULATED_PID_BASE = 1000;

const USECS_PER_SECOND = 1_000_000;

/** One `trace-cmd report` line (no latency columns), event `index` of the operation. */
function traceReportLine(e: TracepointEvent, ctx: TraceContext, index: number): string {
  const comm = `CPU ${ctx.vcpuId}/KVM`.padStart(16);
  const pid = String(SIMULATED_PID_BASE + ctx.vcpuId).padEnd(5);
  // Past a million events the microseconds carry into the seconds, as a real clock would.
  const usecs = String(index % USECS_PER_SECOND).padStart(6, '0');
  const secs = String(ctx.seconds + Math.floor(index / USECS_PER_SECOND)).padStart(5);
  const name = `${e.name}: ${' '.repeat(Math.max(0, 20 - e.name.length))}`;
  return `${comm}-${pid} [000] ${secs}.${usecs}: ${name}${traceEventInfo(e, ctx.vendor)}`;
}

/** The report for one operation, one line per event, newline-terminated; `first`: the index of events[0] in the operation's trace. */
export function traceReport(events: readonly TracepointEvent[], ctx: TraceContext, first = 0): string {
  return events.map((e, i) => `${traceReportLine(e, ctx, first + i)}\n`).join('');
}
