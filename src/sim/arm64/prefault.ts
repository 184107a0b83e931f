// KVM_PRE_FAULT_MEMORY on arm64 (7.4, arch/arm64/kvm/mmu.c): the gate
// (kvm_arch_pre_fault_allowed), one iteration (kvm_arch_vcpu_pre_fault_memory: memslot,
// KVM_MEMSLOT_INVALID, up to 4 attempts of pre_fault_s2), the shared walk of the canonical
// stage-2 (kvm_walk_s2) and the synthetic fault (__pre_fault_s2). Negative errnos stay
// numbers until generic-prefault.ts names them.

import { archKernelAtLeast, type ArchPreFaultRequest } from '../arch-types.js';
import { EAGAIN, EFAULT, EHWPOISON, EINVAL, ENOENT, ENOEXEC, EOPNOTSUPP } from '../errno.js';
import { notFound } from '../errors.js';
import { slotEnd, slotHvaFrame, type ArchMemslot } from '../generic-memslots.js';
import {
  ArchIterationRows,
  ArchMappingCoalescer,
  archPreFaultEarly,
  archPreFaultResult,
  checkPreFaultRange,
  parsePreFault,
  runArchLoop,
} from '../generic-prefault.js';
import { decodeLeaf, rootRef, sizeName } from './inspect.js';
import { gmemAbort, pageOnlyFaults, userMemAbort, type S2FaultEnv, type S2FaultResult } from './mmu.js';
import { PTE_TYPE, alignDown, kvmPgtableGetLeaf, newWalk, pteIndex, pteValid, stage2SetPte, type S2Walk } from './pgtable.js';
import type { Arm64State, Arm64Vcpu } from './state.js';
import type { Arm64ArchBits, Arm64PreFaultResult } from './types.js';

/** MAX_PRE_FAULT_RETRIES: "If you lose the race this many times, time to give up" (3 retries = 4 attempts). */
export const MAX_PRE_FAULT_RETRIES = 3;

const REASONS = {
  absent:
    'KVM_PRE_FAULT_MEMORY does not exist on arm64 before 7.4: the vCPU ioctl falls to the default of kvm_arch_vcpu_ioctl, -EINVAL (kvm_arch_vcpu_ioctl)',
  pkvm: 'the host runs protected KVM, is_protected_kvm_enabled() (kvm_arch_pre_fault_allowed)',
  uninit: 'vCPU not initialised, kvm_vcpu_initialized() is false: no KVM_ARM_VCPU_INIT yet (kvm_arch_pre_fault_allowed)',
  noslot: 'no memslot for the gfn, gfn_to_memslot() is NULL (kvm_arch_vcpu_pre_fault_memory)',
  deleting: 'memslot is being deleted, KVM_MEMSLOT_INVALID: SRCU must be released for progress (kvm_arch_vcpu_pre_fault_memory)',
  races: `an MMU-notifier invalidation raced every attempt, mmu_invalidate_retry(), ${MAX_PRE_FAULT_RETRIES + 1} attempts (kvm_arch_vcpu_pre_fault_memory)`,
  efault: 'no VMA at the hva, "Failed to find VMA" (kvm_s2_fault_get_vma_info, user_mem_abort)',
  hwpoison: 'the host page is poisoned, KVM_PFN_ERR_HWPOISON: returned as -EHWPOISON, no SIGBUS (kvm_s2_fault_pin_pfn, user_mem_abort)',
  enomem: 'the page-table budget is spent (topup_mmu_memcache / kvm_pgtable_stage2_map)',
} as const;

/** The fault handlers return only these four errnos: EAGAIN, EFAULT, EHWPOISON and (from the map) ENOMEM. */
const faultReason = (r: number): string =>
  r === EAGAIN ? REASONS.races : r === EFAULT ? REASONS.efault : r === EHWPOISON ? REASONS.hwpoison : REASONS.enomem;

/** kvm_arch_pre_fault_allowed (the generic hook of caa63620f9e3): pKVM first, then vCPU init. */
export function kvmArchPreFaultAllowed(state: Arm64State, vcpu: Arm64Vcpu): { r: number; reason: string } | null {
  if (state.config.host.pkvm) return { r: EOPNOTSUPP, reason: REASONS.pkvm };
  if (!vcpu.initialized) return { r: ENOEXEC, reason: REASONS.uninit };
  return null;
}

interface CallContext {
  state: Arm64State;
  env: S2FaultEnv;
  invalidSlot: ArchMemslot | undefined;
  rows: ArchIterationRows;
  mapped: ArchMappingCoalescer<Arm64ArchBits>;
  walk: S2Walk;
  result: S2FaultResult;
  reason: string | undefined;
  /** Page runs allowed: no signal is injected, so how many iterations ran is not observable. */
  runs: boolean;
}

/** FSC of the synthetic abort: ESR_ELx_FSC_FAULT_L(level), a translation fault at the walk's stop level. */
const FSC_NAMES = ['TRANSLATION_L0', 'TRANSLATION_L1', 'TRANSLATION_L2', 'TRANSLATION_L3'] as const;
const fscName = (level: number): string => FSC_NAMES[level]!;

/** kvm_vcpu_pre_fault_memory with the arm64 step; the ioctl does not exist before 7.4. */
export function arm64PreFault(state: Arm64State, vcpuId: number, req: ArchPreFaultRequest): Arm64PreFaultResult {
  const p = parsePreFault(req);
  if (!archKernelAtLeast(state.config.kernel, '7.4')) return archPreFaultEarly(p, EINVAL, REASONS.absent);
  const vcpu = state.vcpus.get(vcpuId);
  if (!vcpu) throw notFound(`no vCPU ${vcpuId}`);
  const bad = checkPreFaultRange(p, state.pageFrames * 4096);
  if (bad) return archPreFaultEarly(p, EINVAL, bad);
  // The gate is evaluated once, after V1–V4 and before the loop (spec §18.1 leaves the order UNVERIFIED).
  const gate = kvmArchPreFaultAllowed(state, vcpu);
  if (gate) return archPreFaultEarly(p, gate.r, gate.reason);

  const inject = req.inject ?? {};
  const del = inject.memslotBeingDeleted;
  const signalAfter = inject.signalPending ? 0 : (inject.signalAfterIterations ?? Infinity);
  const ctx: CallContext = {
    state,
    env: { racesLeft: inject.invalidationRaces ?? 0, vma: { vmaFrames: 0, maxMapFrames: 0, paFrame: 0, writable: false } },
    invalidSlot: del && del.addressSpace === 0 ? state.slots.byId(del.slot) : undefined,
    rows: new ArchIterationRows(true),
    mapped: new ArchMappingCoalescer(decodeLeaf, state.pageFrames),
    walk: newWalk(state.canonical),
    result: { mappingFrames: 0, gfn: 0, paFrame: 0, attrs: 0 },
    reason: undefined,
    runs: signalAfter === Infinity,
  };
  const out = runArchLoop(p, signalAfter, (gfn, frames) => arm64PreFaultStep(ctx, gfn, frames));
  // `root` is the canonical stage-2, even for a vCPU whose hw_mmu is a nested one.
  return archPreFaultResult(p, out, ctx.reason, ctx.rows, rootRef(state.canonical), ctx.mapped.finish());
}

/** kvm_arch_vcpu_pre_fault_memory: one iteration; returns 4K frames consumed or a negative errno. */
function arm64PreFaultStep(ctx: CallContext, gfn: number, frames: number): number {
  const { state } = ctx;
  // P1: gfn_to_memslot; memslots never extend past the IPA space, so this also covers gpa >= 2^ipaBits.
  const slot = state.slots.lookup(gfn);
  if (!slot) return stepError(ctx, gfn, ENOENT, REASONS.noslot, null, 0);
  // P2: checked before any walk, so even a mapped gpa answers EAGAIN.
  if (slot === ctx.invalidSlot) return stepError(ctx, gfn, EAGAIN, REASONS.deleting, null, 0);
  // P3: pre_fault_s2 while it returns EAGAIN, at most 1 + MAX_PRE_FAULT_RETRIES attempts.
  let attempts = 0;
  let r: number;
  let level: number;
  let spurious: boolean;
  do {
    attempts++;
    // kvm_walk_s2: a shared walk of the canonical stage-2 (never the vCPU's hw_mmu).
    kvmPgtableGetLeaf(state.canonical, gfn, ctx.walk);
    level = ctx.walk.level;
    spurious = pteValid(ctx.walk.pte);
    if (spurious) {
      r = state.geo.levelFrames[level]!;
      break;
    }
    // __pre_fault_s2: fault_ipa = gpa, nested = NULL, mmu = canonical, a read translation fault at `level`.
    const fr = slot.guestMemfd
      ? gmemAbort(state, state.canonical, gfn, slot, ctx.env, ctx.result)
      : userMemAbort(state, state.canonical, gfn, slot, ctx.env, ctx.result);
    r = fr < 0 ? fr : ctx.result.mappingFrames;
  } while (r === EAGAIN && attempts <= MAX_PRE_FAULT_RETRIES);
  if (r < 0) return stepError(ctx, gfn, r, faultReason(r), fscName(level), attempts);
  // P4: pre_fault_bytes_consumed: to the end of the granule, at most what is left.
  const consumed = Math.min(alignDown(gfn, r) + r - gfn, frames);
  const name = sizeName(r);
  if (spurious) {
    ctx.rows.add(gfn, 'SPURIOUS', name, consumed, 0, null, attempts);
    return consumed;
  }
  ctx.rows.add(gfn, 'FIXED', name, consumed, 0, fscName(level), attempts);
  addInstalled(ctx);
  // A fault that mapped a page leaves no race pending (the attempt that mapped found none).
  if (ctx.runs && r === state.pageFrames && pageOnlyFaults(slot)) return consumed + pageRun(ctx, slot, gfn + consumed, frames - consumed);
  return consumed;
}

/**
 * The iterations that follow a page fault in a slot of pageOnlyFaults, done in one go while
 * each would be exactly that: the same slot (P1, P2 already passed for it), the walk stopping
 * at an empty entry of the cached level-3 table (a TRANSLATION_L3 fault, first attempt: no race
 * is pending), and user_mem_abort mapping the page at the hva's frame with the first one's
 * attributes. Within one level-3 table every fault of a slot chooses the size the first one did
 * (kvm_s2_resolve_vma_size and transparent_hugepage_adjust decide per PMD or PUD block, and the
 * table is one PMD block), so after a page they all map a page. Rows, mapped rows and counts
 * are those of one iteration each; anything else (a present leaf, another table, the slot's
 * end) is left to the next step. Returns frames consumed.
 */
function pageRun(ctx: CallContext, slot: ArchMemslot, gfn: number, frames: number): number {
  const root = ctx.state.canonical;
  const page = ctx.state.pageFrames;
  const end = Math.min(gfn + frames, slotEnd(slot));
  const flags = ctx.result.attrs | PTE_TYPE;
  const name = sizeName(page);
  const fsc = fscName(3);
  let g = gfn;
  for (; g < end; g += page) {
    const t = root.cachedTable(g);
    if (t === null) break;
    const i = pteIndex(t, g);
    if (pteValid(t.ptes[i]!)) break;
    const pa = slotHvaFrame(slot, g);
    stage2SetPte(root, t, i, pa, flags, undefined);
    ctx.rows.add(g, 'FIXED', name, page, 0, fsc, 1);
    ctx.mapped.add(g, page, name, pa, flags);
  }
  return g - gfn;
}

/** The leaves the last fault wrote, for `mapped` (a size above the first level is several blocks). */
function addInstalled(ctx: CallContext): void {
  const geo = ctx.state.geo;
  const res = ctx.result;
  const leafFrames = Math.min(res.mappingFrames, geo.levelFrames[geo.startLevel]!);
  const flags = leafFrames === ctx.state.pageFrames ? res.attrs | PTE_TYPE : res.attrs;
  const name = sizeName(leafFrames);
  for (let off = 0; off < res.mappingFrames; off += leafFrames) ctx.mapped.add(res.gfn + off, leafFrames, name, res.paFrame + off, flags);
}

function stepError(ctx: CallContext, gfn: number, r: number, reason: string, fsc: string | null, attempts: number): number {
  ctx.rows.add(gfn, 'ERROR', null, 0, r, fsc, attempts);
  ctx.reason = reason;
  return r;
}
