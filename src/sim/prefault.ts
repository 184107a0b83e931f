// KVM_PRE_FAULT_MEMORY: the generic loop (kvm_main.c:kvm_vcpu_pre_fault_memory) and the
// x86 step (mmu.c:kvm_arch_vcpu_pre_fault_memory, kvm_tdp_page_prefault). Results stay
// RET_PF_* codes and negative errnos until the very end, where they get names.

import { fastPageFault } from './mmu/fast-pf.js';
import {
  EAGAIN,
  EINTR,
  EINVAL,
  EIO,
  ENOENT,
  EOPNOTSUPP,
  RET_PF_EMULATE,
  RET_PF_FIXED,
  RET_PF_SPURIOUS,
  RET_PF_WRITE_PROTECTED,
  initPageFault,
  kvmTdpPageFault,
  newPageFault,
  type KvmPageFault,
} from './mmu/fault.js';
import { kvmMmuReload, kvmMmuUnload } from './mmu/load.js';
import { tdpMmuMapPageRun, type PageRun } from './mmu/page-run.js';
import { roleAddressSpace } from './mmu/role.js';
import type { TdpRoot } from './mmu/roots.js';
import { decidePolicy, type PolicyDecision } from './policies.js';
import { kvmGfnDirectBits, type Vcpu, type VmState } from './state.js';
import { IterationRows, MappingCoalescer } from './response-rows.js';
import { errnoName, ioctlResult } from './errno.js';
import { isAliasGfn, kernelAtLeast } from './vm-config.js';
import { RELOAD_FAILED_REASON, faultErrorReason, tdpPrefaultFn } from './fault-reasons.js';
import type { Memslot } from './memslots.js';
import type { KernelVersion, PreFaultInject, PreFaultResult } from './types.js';
import { PAGES_PER_LEVEL, U64_MAX, hex, isPageAligned } from './u64.js';

export interface PreFaultRequest {
  gpa: bigint;
  size: bigint;
  flags: bigint;
  inject: PreFaultInject;
  /** inject.memslotBeingDeleted, resolved: KVM_MEMSLOT_INVALID for this call only. */
  invalidSlot?: Memslot;
}

/** Everything one call needs, built once so the per-iteration step allocates nothing. */
interface CallContext {
  state: VmState;
  vcpu: Vcpu;
  policy: PolicyDecision;
  /** The call's fault, made by its first fault and reused by the others (initPageFault). */
  fault: KvmPageFault | undefined;
  rows: IterationRows;
  mapped: MappingCoalescer;
  sharedBit: number;
  invalidSlot: Memslot | undefined;
  /** The root the response names (null until a TDP root was reached). */
  root: TdpRoot | null;
  /** Set when the simulated kernel would have spun until a signal. */
  note: string | undefined;
  /** Why the last step failed (the `reason` field). */
  reason: string | undefined;
  /**
   * Page runs allowed: the VM's engine option, no signal injected (so how many iterations
   * ran is not observable) and no trace sink (each fault's events would be missing).
   */
  runs: boolean;
  run: PageRun;
}

/** 3ccbf6f47098 (6.18): a prefetch fault on a KVM_MEMSLOT_INVALID slot gets EAGAIN instead of RET_PF_RETRY. */
const INVALID_SLOT_EAGAIN: KernelVersion = '6.18';

const V_REASONS = {
  flags: 'range->flags is not 0 (kvm_vcpu_pre_fault_memory)',
  gpa: 'range->gpa is not page aligned (kvm_vcpu_pre_fault_memory)',
  size: 'range->size is not page aligned (kvm_vcpu_pre_fault_memory)',
  wrap: 'range->gpa + range->size wraps around or range->size is 0 (kvm_vcpu_pre_fault_memory)',
} as const;
const SIGNAL_REASON = 'a signal is pending: signal_pending(current) at the top of the loop (kvm_vcpu_pre_fault_memory)';
export const VM_DEAD_REASON =
  'the VM is dead after a KVM_BUG_ON: kvm->vm_dead (kvm->vm_bugged in kernels with "KVM: Reject ioctls only if the VM is bugged") is tested first (kvm_vcpu_ioctl / kvm_vm_ioctl)';

/** The struct as copied back, with the request's range unchanged (failures before the loop). */
export function preFaultEarly(req: Pick<PreFaultRequest, 'gpa' | 'size' | 'flags'>, r: number, reason: string): PreFaultResult {
  return {
    ...ioctlResult(r, reason),
    range: { gpa: hex(req.gpa), size: hex(req.size), flags: hex(req.flags) },
    iterations: [],
    root: null,
    mapped: [],
  };
}

export interface LoopOutcome {
  ret: number;
  /** Pages the loop consumed (range->gpa advanced by this many 4K pages). */
  consumed: number;
  /** The loop stopped at its top-of-loop signal check. */
  signalled: boolean;
  /** WARN_ON_ONCE(r == 0 || r == -EIO) fired. */
  warned: boolean;
}

/**
 * The generic loop of kvm_vcpu_pre_fault_memory (kvm_main.c) over an already validated range
 * of `pages` 4K pages from `gfn`: L2 signal check, one arch step per iteration, L4 stop rules,
 * L5 "any progress is success". `signalAfter` = successful iterations before a signal arrives.
 */
export function preFaultLoop(gfn: number, pages: number, signalAfter: number, step: (gfn: number, pages: number) => number): LoopOutcome {
  const full = pages;
  let done = 0;
  let r = 0;
  let signalled = false;
  let warned = false;
  while (pages > 0) {
    if (done >= signalAfter) {
      r = EINTR;
      signalled = true;
      break;
    }
    r = step(gfn, pages);
    // L4: a step that consumed nothing, or -EIO, WARNs and stops; r (0 or -EIO) is kept.
    if (r === 0 || r === EIO) {
      warned = true;
      break;
    }
    if (r < 0) break;
    gfn += r;
    pages -= r;
    done++;
  }
  return { ret: pages === full ? r : 0, consumed: full - pages, signalled, warned };
}

/** kvm_vcpu_pre_fault_memory, with the struct copied back in every case. */
export function kvmVcpuPreFaultMemory(state: VmState, vcpu: Vcpu, req: PreFaultRequest): PreFaultResult {
  // V1-V4, in the kernel's order, before any signal or arch check.
  if (req.flags !== 0n) return preFaultEarly(req, EINVAL, V_REASONS.flags);
  if (!isPageAligned(req.gpa)) return preFaultEarly(req, EINVAL, V_REASONS.gpa);
  if (!isPageAligned(req.size)) return preFaultEarly(req, EINVAL, V_REASONS.size);
  if (((req.gpa + req.size) & U64_MAX) <= req.gpa) return preFaultEarly(req, EINVAL, V_REASONS.wrap);

  const policy = decidePolicy(state.config.prefaultPolicy, state.config.host, vcpu.mode);
  const ctx: CallContext = {
    state,
    vcpu,
    policy,
    fault: undefined,
    rows: new IterationRows(),
    // The A/D-less predicates (EPT without A/D bits, up to 6.12) never change these rows: a
    // pre-fault installs prefetch SPTEs only, access-tracked there (make_spte), so neither
    // accessed nor dirty under either rule.
    mapped: new MappingCoalescer(false),
    sharedBit: kvmGfnDirectBits(state),
    invalidSlot: req.invalidSlot,
    root: null,
    note: undefined,
    reason: undefined,
    runs: false,
    run: { count: 0, flags: 0 },
  };
  // switch-root-mmu: kvm_mmu_reset_context on entry (S2); restored on every exit (S4).
  if (policy.switched) kvmMmuUnload(state, vcpu);

  const signalAfter = req.inject.signalPending ? 0 : (req.inject.signalAfterIterations ?? Infinity);
  ctx.runs = state.pageRuns && signalAfter === Infinity && state.trace === undefined;
  const out = preFaultLoop(Number(req.gpa >> 12n), Number(req.size >> 12n), signalAfter, (gfn, pages) => x86PreFaultStep(ctx, gfn, pages));
  if (policy.switched) kvmMmuUnload(state, vcpu);

  const consumed = BigInt(out.consumed) << 12n;
  const iterations = ctx.rows.finish();
  const last = iterations[iterations.length - 1];
  if (ctx.reason) last!.reason = ctx.reason; // set only with the error row that ended the loop
  const reason = out.signalled ? SIGNAL_REASON : ctx.reason;
  const result: PreFaultResult = {
    ...ioctlResult(out.ret, reason),
    range: { gpa: hex(req.gpa + consumed), size: hex(req.size - consumed), flags: hex(req.flags) },
    iterations,
    root: ctx.root ? ctx.root.ref() : null,
    mapped: ctx.mapped.finish(),
  };
  if (out.warned && out.ret === 0 && out.consumed === 0)
    ctx.note = 'The arch step consumed zero bytes: kvm_vcpu_pre_fault_memory WARNs and breaks out of the loop with r = 0, so the call returns 0.';
  if (ctx.note) result.note = ctx.note;
  return result;
}

/** One x86 step: returns the pages consumed (> 0) or a negative errno, and records its row. */
function x86PreFaultStep(ctx: CallContext, gfn: number, pages: number): number {
  const { state, vcpu, policy } = ctx;
  // R1 / S1: the unmerged designs refuse before any generic check.
  if (policy.refuseEarly) return stepError(ctx, gfn, EOPNOTSUPP, refuseEarlyReason(state, vcpu));
  // A: SNP/TDX before finalisation, kvm->arch.pre_fault_allowed.
  if (!state.preFaultAllowed)
    return stepError(
      ctx,
      gfn,
      EOPNOTSUPP,
      'kvm->arch.pre_fault_allowed is false: the SNP/TDX VM is not finalized yet (kvm_arch_vcpu_pre_fault_memory)',
    );
  // B (6.16, with TDX itself): only the addresses userspace used for its memslots (kvm_is_gfn_alias).
  if (isAliasGfn(gfn, ctx.sharedBit))
    return stepError(ctx, gfn, EINVAL, "range->gpa has the TD's shared bit set, kvm_is_gfn_alias() (kvm_arch_vcpu_pre_fault_memory)");
  // C: kvm_mmu_reload (a no-op while a valid root is loaded); only TDP roots are tracked.
  // Its result is checked from 6.11 on: 28cec7f08b8b reached mainline in 6.11-rc7.
  if (policy.mmuKind === 'tdp' && (vcpu.root === null || vcpu.root.invalid)) {
    const rr = kvmMmuReload(state, vcpu, policy.mode, state.switches.reloadFreesObsoleteRoots);
    if (rr < 0) return stepError(ctx, gfn, rr, `${RELOAD_FAILED_REASON}, checked by kvm_arch_vcpu_pre_fault_memory`);
  }
  // D: private iff the VM has private memory and the gfn's attribute is private now.
  const isPrivate = state.hasPrivateMem && state.attrs.isPrivate(gfn);
  const addrGfn = isPrivate ? gfn : gfn + ctx.sharedBit;
  // G: only kvm_tdp_page_fault is indexed by GPA.
  if (policy.mmuKind !== 'tdp')
    return stepError(
      ctx,
      gfn,
      EOPNOTSUPP,
      `the vCPU's current MMU is ${policy.mmuKind === 'shadow' ? 'shadow paging (TDP disabled)' : "the nested MMU shadowing L1's EPT/NPT"}, not kvm_tdp_page_fault (${tdpPrefaultFn(state.config.kernel)})`,
    );
  const root = isPrivate && vcpu.mirrorRoot ? vcpu.mirrorRoot : vcpu.root!;
  if (!ctx.root) ctx.root = root;
  // H: an obsolete root makes every attempt stale (RET_PF_RETRY) until a signal (pre-6.15).
  if (root.invalid) {
    ctx.note =
      'The vCPU still holds a root made obsolete by a zap-all; before 6.15 every fault retries (is_page_fault_stale) and the ioctl spins until a signal. Simulated as that signal: EINTR.';
    return stepError(
      ctx,
      gfn,
      EINTR,
      `the loaded root is obsolete, every attempt is RET_PF_RETRY (is_page_fault_stale) until signal_pending(current) ends the retry loop (${tdpPrefaultFn(state.config.kernel)})`,
    );
  }
  const asId = roleAddressSpace(root.role);
  const nx = state.config.host.nxHugePages;
  let f = ctx.fault;
  if (f) initPageFault(f, gfn, addrGfn, isPrivate, asId, false, false, true, nx);
  else f = ctx.fault = newPageFault(vcpu.id, gfn, addrGfn, isPrivate, asId, false, false, true, nx);
  // fast_page_fault: without A/D bits, a present leaf is resolved before the slow path.
  const code = (root.role.adDisabled ? fastPageFault(state, root, f) : undefined) ?? slowPageFault(ctx, root, f);
  ctx.mapped.addFault(f);
  if (code === RET_PF_FIXED || code === RET_PF_SPURIOUS || code === RET_PF_WRITE_PROTECTED) {
    // F: consume up to the end of the goal-level page, at most what is left.
    const n = PAGES_PER_LEVEL[f.goalLevel]!;
    const consumed = n === 1 ? 1 : Math.min(pages, n - (gfn % n)); // n === 1: the per-leaf path's shortcut (the formula gives 1 too)
    ctx.rows.add(gfn, code === RET_PF_SPURIOUS ? 'SPURIOUS' : 'FIXED', f.goalLevel, consumed, null);
    return ctx.runs && n === 1 ? consumed + pageRun(ctx, root, f, code, gfn + 1, pages - 1) : consumed;
  }
  if (code === RET_PF_EMULATE) {
    ctx.rows.add(gfn, 'EMULATE', 0, 0, 'ENOENT');
    ctx.reason = faultErrorReason(state, f, code);
    return ENOENT;
  }
  if (ctx.reason !== undefined) return code; // slowPageFault's refusal of a slot being deleted: row and reason written
  const r = code < 0 ? code : EIO;
  return stepError(ctx, gfn, r, faultErrorReason(state, f, r));
}

/**
 * kvm_tdp_mmu_page_fault after the fast path. kvm_mmu_faultin_pfn checks KVM_MEMSLOT_INVALID
 * right after the no-slot case: a prefetch gets EAGAIN from 6.18 (3ccbf6f47098); before, the
 * fault is RET_PF_RETRY for as long as the delete waits in synchronize_srcu, i.e. until a
 * signal, because this call holds SRCU: simulated as that signal.
 */
function slowPageFault(ctx: CallContext, root: TdpRoot, f: KvmPageFault): number {
  const { state } = ctx;
  if (ctx.invalidSlot && state.slots.lookup(f.asId, f.gfn) === ctx.invalidSlot) {
    if (kernelAtLeast(state.config.kernel, INVALID_SLOT_EAGAIN)) return stepError(ctx, f.gfn, EAGAIN, faultErrorReason(state, f, EAGAIN));
    ctx.note =
      'The memslot is KVM_MEMSLOT_INVALID (its delete waits in synchronize_srcu while this call holds SRCU); before 6.18 the prefetch fault is RET_PF_RETRY forever and the ioctl spins until a signal. Simulated as that signal: EINTR.';
    return stepError(
      ctx,
      f.gfn,
      EINTR,
      `the memslot is being deleted (KVM_MEMSLOT_INVALID): kvm_mmu_faultin_pfn answers RET_PF_RETRY until signal_pending(current) ends the retry loop (${tdpPrefaultFn(state.config.kernel)})`,
    );
  }
  return kvmTdpPageFault(state, root, f);
}

/** The iterations after a 4K fault that would be that fault again, as one run (mmu/page-run.ts): pages consumed. */
function pageRun(ctx: CallContext, root: TdpRoot, f: KvmPageFault, code: number, gfn: number, pages: number): number {
  const run = ctx.run;
  tdpMmuMapPageRun(ctx.state, root, f, code, pages, run);
  if (run.count === 0) return 0;
  ctx.rows.addRun(gfn, 'FIXED', 1, 1, run.count);
  ctx.mapped.addRun(f.addrGfn + 1, 1, run.flags, f.pfn + 1, run.count);
  return run.count;
}

function stepError(ctx: CallContext, gfn: number, r: number, reason: string): number {
  ctx.rows.add(gfn, 'ERROR', 0, 0, errnoName(r));
  ctx.reason = reason;
  return r;
}

function refuseEarlyReason(state: VmState, vcpu: Vcpu): string {
  if (!state.config.host.tdp)
    return `TDP is disabled, so there is no GPA-indexed MMU to map into (${state.config.prefaultPolicy} refuses before mapping)`;
  return `the vCPU is in ${vcpu.mode.smm ? 'SMM' : 'guest mode (L2)'} (reject-smm-guest-mode refuses it in kvm_arch_vcpu_pre_fault_memory)`;
}
