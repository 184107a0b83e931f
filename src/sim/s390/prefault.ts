// KVM_PRE_FAULT_MEMORY on s390 (7.2, arch/s390/kvm/kvm-s390.c:kvm_arch_vcpu_pre_fault_memory):
// UCONTROL refused per iteration, a read fault-in of the gfn, the program exception mapped to
// an errno, and progress to the end of the 4K page, 1M segment or 2G region-3 frame.

import { archKernelAtLeast, type ArchPreFaultRequest } from '../arch-types.js';
import { EFAULT, EINVAL, ENOENT, ENOMEM, ENOTTY } from '../errno.js';
import { notFound } from '../errors.js';
import {
  ArchIterationRows,
  ArchMappingCoalescer,
  archPreFaultEarly,
  archPreFaultResult,
  checkPreFaultRange,
  parsePreFault,
  runArchLoop,
} from '../generic-prefault.js';
import { LEVEL_FRAMES, type DatWalk } from './dat.js';
import { PGM_ADDRESSING, kvmS390FaultinGfn, type FaultinEnv, type GuestFault } from './faultin.js';
import { decodeEntry, levelName, s390RootRef } from './inspect.js';
import type { S390State } from './state.js';
import type { S390ArchBits, S390PreFaultResult } from './types.js';

const REASONS = {
  absent:
    'KVM_PRE_FAULT_MEMORY does not exist on s390 before 7.2: the vCPU ioctl falls to the default of kvm_arch_vcpu_ioctl, -ENOTTY (kvm_arch_vcpu_ioctl)',
  ucontrol: 'the VM is UCONTROL, kvm_is_ucontrol(): use KVM_S390_VCPU_FAULT (kvm_arch_vcpu_pre_fault_memory)',
  addressing:
    'addressing exception: no memslot for the gfn, or it is being deleted (kvm_s390_faultin_gfn -> PGM_ADDRESSING, kvm_arch_vcpu_pre_fault_memory)',
  efault: 'an error pfn: no VMA at the hva or a poisoned host page (__kvm_faultin_pfn, kvm_s390_faultin_gfn)',
  enomem: 'the DAT table budget is spent (kvm_s390_faultin_gfn)',
} as const;

interface CallContext {
  state: S390State;
  env: FaultinEnv;
  rows: ArchIterationRows;
  mapped: ArchMappingCoalescer<S390ArchBits>;
  walk: DatWalk;
  fault: GuestFault;
  reason: string | undefined;
}

/** kvm_vcpu_pre_fault_memory with the s390 step; the ioctl does not exist before 7.2. */
export function s390PreFault(state: S390State, vcpuId: number, req: ArchPreFaultRequest): S390PreFaultResult {
  const p = parsePreFault(req);
  if (!archKernelAtLeast(state.config.kernel, '7.2')) return archPreFaultEarly(p, ENOTTY, REASONS.absent);
  if (!state.vcpus.has(vcpuId)) throw notFound(`no vCPU ${vcpuId}`);
  const bad = checkPreFaultRange(p, 4096);
  if (bad) return archPreFaultEarly(p, EINVAL, bad);
  const inject = req.inject ?? {};
  const del = inject.memslotBeingDeleted;
  const gmap = state.gmap;
  const ctx: CallContext = {
    state,
    env: { racesLeft: inject.invalidationRaces ?? 0, invalidSlot: del && del.addressSpace === 0 ? state.slots.byId(del.slot) : undefined },
    rows: new ArchIterationRows(false),
    mapped: new ArchMappingCoalescer(decodeEntry, 1),
    walk: { table: null, index: 0, level: 0, entry: 0 },
    fault: { level: 0, spurious: false, link: { level: 0, gfn: 0, origin: 0, flags: 0 } },
    reason: undefined,
  };
  const signalAfter = inject.signalPending ? 0 : (inject.signalAfterIterations ?? Infinity);
  const out = runArchLoop(p, signalAfter, (gfn, frames) => s390PreFaultStep(ctx, gfn, frames));
  return archPreFaultResult(p, out, ctx.reason, ctx.rows, gmap ? s390RootRef(gmap) : null, ctx.mapped.finish());
}

/** kvm_arch_vcpu_pre_fault_memory: one iteration; 4K frames consumed or a negative errno. */
function s390PreFaultStep(ctx: CallContext, gfn: number, frames: number): number {
  const { state } = ctx;
  const gmap = state.gmap;
  if (!gmap) return stepError(ctx, gfn, EINVAL, REASONS.ucontrol);
  // A read (write_attempt false), no async pfault.
  const r = kvmS390FaultinGfn(state, gmap, gfn, ctx.env, ctx.walk, ctx.fault);
  // PGM_ADDRESSING -> ENOENT. The kernel answers EIO for any other program exception; the
  // fault-in here raises no other one (spec §19.7: none reachable in the code read).
  if (r === PGM_ADDRESSING) return stepError(ctx, gfn, ENOENT, REASONS.addressing);
  if (r < 0) return stepError(ctx, gfn, r, r === EFAULT ? REASONS.efault : r === ENOMEM ? REASONS.enomem : `error ${r} (kvm_s390_faultin_gfn)`);
  const f = ctx.fault;
  // A PTE consumes 4K; a large CRSTE to ALIGN(gpa + 4K, size), at most what is left (the same rule for size 4K).
  const size = LEVEL_FRAMES[f.level]!;
  const consumed = Math.min(frames, size - (gfn % size));
  ctx.rows.add(gfn, f.spurious ? 'SPURIOUS' : 'FIXED', levelName(f.level), consumed, 0);
  if (!f.spurious) ctx.mapped.add(f.link.gfn, size, levelName(f.level), f.link.origin, f.link.flags);
  return consumed;
}

function stepError(ctx: CallContext, gfn: number, r: number, reason: string): number {
  ctx.rows.add(gfn, 'ERROR', null, 0, r);
  ctx.reason = reason;
  return r;
}
