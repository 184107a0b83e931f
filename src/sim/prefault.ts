// KVM_PRE_FAULT_MEMORY: the generic loop (kvm_main.c:kvm_vcpu_pre_fault_memory) and the
// x86 step (mmu.c:kvm_arch_vcpu_pre_fault_memory, kvm_tdp_page_prefault). Results stay
// RET_PF_* codes and negative errnos until the very end, where they get names.

import { fastPageFault } from './mmu/fast-pf.js';
import {
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
import { roleAddressSpace } from './mmu/role.js';
import type { TdpRoot } from './mmu/roots.js';
import { decidePolicy, type PolicyDecision } from './policies.js';
import { noAdPredicates, sharedBitGfn, type Vcpu, type VmState } from './state.js';
import { IterationTrace, MappingCoalescer } from './trace.js';
import { errnoName } from './errno.js';
import type { PreFaultInject, PreFaultResult } from './types.js';
import { PAGES_PER_LEVEL, U64_MAX, hex, isPageAligned } from './u64.js';

export interface PreFaultRequest {
  gpa: bigint;
  size: bigint;
  flags: bigint;
  inject: PreFaultInject;
}

/** Everything one call needs, built once so the per-iteration step allocates nothing. */
interface CallContext {
  state: VmState;
  vcpu: Vcpu;
  policy: PolicyDecision;
  fault: KvmPageFault;
  trace: IterationTrace;
  mapped: MappingCoalescer;
  sharedBit: number;
  /** The root the response names (null until a TDP root was reached). */
  root: TdpRoot | null;
  /** Set when the simulated kernel would have spun until a signal. */
  note: string | undefined;
}

/** kvm_vcpu_pre_fault_memory, with the struct copied back in every case. */
export function kvmVcpuPreFaultMemory(state: VmState, vcpu: Vcpu, req: PreFaultRequest): PreFaultResult {
  const echo = (gpa: bigint, size: bigint): PreFaultResult['range'] => ({ gpa: hex(gpa), size: hex(size), flags: hex(req.flags) });
  const early = (r: number): PreFaultResult => ({
    ret: r,
    errno: errnoName(r),
    range: echo(req.gpa, req.size),
    iterations: [],
    root: null,
    mapped: [],
  });
  // V1-V4, in the kernel's order, before any signal or arch check.
  if (req.flags !== 0n) return early(EINVAL);
  if (!isPageAligned(req.gpa) || !isPageAligned(req.size)) return early(EINVAL);
  if (((req.gpa + req.size) & U64_MAX) <= req.gpa) return early(EINVAL);

  const policy = decidePolicy(state.config.prefaultPolicy, state.config.host, vcpu.mode);
  const ctx: CallContext = {
    state,
    vcpu,
    policy,
    fault: newPageFault(),
    trace: new IterationTrace(),
    mapped: new MappingCoalescer(noAdPredicates(state)),
    sharedBit: sharedBitGfn(state, vcpu),
    root: null,
    note: undefined,
  };
  ctx.fault.vcpuId = vcpu.id;
  // switch-root-mmu: kvm_mmu_reset_context on entry (S2); restored on every exit (S4).
  if (policy.switched) kvmMmuUnload(state, vcpu);

  const fullPages = Number(req.size >> 12n);
  let gfn = Number(req.gpa >> 12n);
  let pages = fullPages;
  const signalAfter = req.inject.signalPending ? 0 : (req.inject.signalAfterIterations ?? Infinity);
  let done = 0;
  let r = 0;
  while (pages > 0) {
    // L2: a pending signal ends the loop before the arch step (no iteration row).
    if (done >= signalAfter) {
      r = EINTR;
      break;
    }
    r = x86PreFaultStep(ctx, gfn, pages);
    if (r <= 0) {
      if (r === 0) r = EIO; // L4: a zero-byte step WARNs and becomes EIO
      break;
    }
    gfn += r;
    pages -= r;
    done++;
  }
  if (policy.switched) kvmMmuUnload(state, vcpu);
  // L5: any progress makes the call succeed; the error is left for the retry to find.
  const ret = pages === fullPages ? r : 0;
  const consumed = BigInt(fullPages - pages) << 12n;
  const result: PreFaultResult = {
    ret,
    errno: errnoName(ret),
    range: echo(req.gpa + consumed, req.size - consumed),
    iterations: ctx.trace.finish(),
    root: ctx.root ? ctx.root.ref() : null,
    mapped: ctx.mapped.finish(),
  };
  if (ctx.note) result.note = ctx.note;
  return result;
}

/** One x86 step: returns the pages consumed (> 0) or a negative errno, and records its row. */
function x86PreFaultStep(ctx: CallContext, gfn: number, pages: number): number {
  const { state, vcpu, policy } = ctx;
  // R1 / S1: the unmerged designs refuse before any generic check.
  if (policy.refuseEarly) return stepError(ctx, gfn, EOPNOTSUPP);
  // A: SNP/TDX before finalisation, kvm->arch.pre_fault_allowed.
  if (!state.preFaultAllowed) return stepError(ctx, gfn, EOPNOTSUPP);
  // B (6.16+): only the addresses userspace used for its memslots (kvm_is_gfn_alias).
  if (state.switches.aliasCheck && ctx.sharedBit && Math.floor(gfn / ctx.sharedBit) % 2 === 1) return stepError(ctx, gfn, EINVAL);
  // C: kvm_mmu_reload (a no-op while a valid root is loaded); only TDP roots are tracked.
  if (policy.mmuKind === 'tdp' && (vcpu.root === null || vcpu.root.invalid)) {
    const rr = kvmMmuReload(state, vcpu, policy.mode, state.switches.reloadFreesObsoleteRoots);
    if (rr < 0) return stepError(ctx, gfn, rr);
  }
  // D: private iff the VM has private memory and the gfn's attribute is private now.
  const isPrivate = state.hasPrivateMem && state.attrs.isPrivate(gfn);
  const addrGfn = isPrivate ? gfn : gfn + ctx.sharedBit;
  // G: only kvm_tdp_page_fault is indexed by GPA.
  if (policy.mmuKind !== 'tdp') return stepError(ctx, gfn, EOPNOTSUPP);
  const root = isPrivate && vcpu.mirrorRoot ? vcpu.mirrorRoot : vcpu.root!;
  if (!ctx.root) ctx.root = root;
  // H: an obsolete root makes every attempt stale (RET_PF_RETRY) until a signal (pre-6.15).
  if (root.invalid) {
    ctx.note =
      'The vCPU still holds a root made obsolete by a zap-all; before 6.15 every fault retries (is_page_fault_stale) and the ioctl spins until a signal. Simulated as that signal: EINTR.';
    return stepError(ctx, gfn, EINTR);
  }
  const f = ctx.fault;
  initPageFault(f, gfn, addrGfn, isPrivate, roleAddressSpace(root.role), false, false, true, state.config.host.nxHugePages);
  // fast_page_fault: without A/D bits, a present leaf is resolved before the slow path.
  const code = root.role.adDisabled ? (fastPageFault(state, root, f) ?? kvmTdpPageFault(state, root, f)) : kvmTdpPageFault(state, root, f);
  ctx.mapped.addFault(f);
  if (code === RET_PF_FIXED || code === RET_PF_SPURIOUS || code === RET_PF_WRITE_PROTECTED) {
    // F: consume up to the end of the goal-level page, at most what is left.
    const n = PAGES_PER_LEVEL[f.goalLevel]!;
    const consumed = n === 1 ? 1 : Math.min(pages, n - (gfn % n));
    ctx.trace.add(gfn, code === RET_PF_SPURIOUS ? 'SPURIOUS' : 'FIXED', f.goalLevel, consumed, null);
    return consumed;
  }
  if (code === RET_PF_EMULATE) {
    ctx.trace.add(gfn, 'EMULATE', 0, 0, 'ENOENT');
    return ENOENT;
  }
  return stepError(ctx, gfn, code < 0 ? code : EIO);
}

function stepError(ctx: CallContext, gfn: number, r: number): number {
  ctx.trace.add(gfn, 'ERROR', 0, 0, errnoName(r));
  return r;
}
