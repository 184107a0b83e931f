// A real guest access (KVM_RUN until the access retires): the hardware walk sets A (and
// D on a write) when the SPTE allows the access; otherwise a TDP fault with prefetch =
// false runs (kvm_tdp_page_fault) and the hardware retries.

import { conflict } from './errors.js';
import { fastPageFault } from './mmu/fast-pf.js';
import { RET_PF_EMULATE, RET_PF_FIXED, RET_PF_SPURIOUS, RET_PF_WRITE_PROTECTED, EFAULT, kvmTdpPageFault, newPageFault } from './mmu/fault.js';
import { findLeaf, listChangedLeaves } from './mmu/inspect.js';
import { kvmMmuReload } from './mmu/load.js';
import { currentMmuKind, roleAddressSpace } from './mmu/role.js';
import { hardwareSetAccessedDirty } from './mmu/set-spte.js';
import { SPTE_ACCESSED, SPTE_DIRTY, isAccessAllowed, isMmioSpte, spteFlags } from './mmu/spte.js';
import { errnoName, ioctlResult } from './errno.js';
import { RELOAD_FAILED_REASON, faultErrorReason } from './fault-reasons.js';
import { kvmGfnDirectBits, type Vcpu, type VmState } from './state.js';
import { IterationRows } from './response-rows.js';
import type { AccessKind, AccessResult } from './types.js';
import { PAGES_PER_LEVEL } from './u64.js';

/** Hardware retries before the simulator gives up (a real vCPU would loop forever). */
const MAX_ATTEMPTS = 4;

/**
 * The access's answer lists every leaf it installed or changed (contract: "like
 * pre-fault"), including all children of a huge page it split, each once, as it stands
 * when the access retires: the funnel logs the ranges while the access runs.
 */
export function guestAccess(state: VmState, vcpu: Vcpu, gpa: bigint, kind: AccessKind): AccessResult {
  const log: number[] = [];
  state.changeLog = log;
  try {
    return runAccess(state, vcpu, gpa, kind, log);
  } finally {
    state.changeLog = undefined;
  }
}

function runAccess(state: VmState, vcpu: Vcpu, gpa: bigint, kind: AccessKind, log: number[]): AccessResult {
  const host = state.config.host;
  const mmu = currentMmuKind(host, vcpu.mode);
  if (mmu !== 'tdp')
    throw conflict(
      `vCPU ${vcpu.id} runs on a ${mmu} MMU; guest accesses are simulated only on TDP MMUs (shadow page tables of the guest are not modelled)`,
    );
  const rows = new IterationRows();
  // vcpu_enter_guest services KVM_REQ_MMU_FREE_OBSOLETE_ROOTS before loading the MMU (at every version).
  const rr = kvmMmuReload(state, vcpu, vcpu.mode, true);
  if (rr < 0) return { ...ioctlResult(rr, `${RELOAD_FAILED_REASON} in vcpu_enter_guest`), exit: null, iterations: [], root: null, mapped: [] };

  const fullGfn = Number(gpa >> 12n);
  const sharedBit = kvmGfnDirectBits(state);
  // The guest chooses: for TDX the shared bit in its GPA, otherwise the attribute it set.
  const tdxShared = sharedBit !== 0 && Math.floor(fullGfn / sharedBit) % 2 === 1;
  const gfn = tdxShared ? fullGfn - sharedBit : fullGfn;
  const isPrivate = state.config.type === 'tdx' ? !tdxShared : state.hasPrivateMem && state.attrs.isPrivate(gfn);
  const root = isPrivate && vcpu.mirrorRoot ? vcpu.mirrorRoot : vcpu.root!;
  const write = kind === 'write';
  const exec = kind === 'exec';
  const done = (ret: number, exit: AccessResult['exit']): AccessResult => ({
    ret,
    errno: errnoName(ret),
    exit,
    iterations: rows.finish(),
    root: root.ref(),
    mapped: listChangedLeaves(root, log),
  });

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const leaf = findLeaf(root, fullGfn);
    if (leaf && isMmioSpte(leaf.spte)) return done(0, 'KVM_EXIT_MMIO'); // EPT misconfig -> MMIO emulation
    // findLeaf finds only MMIO SPTEs, handled above, and present leaves: is_access_allowed decides.
    if (leaf && isAccessAllowed(spteFlags(leaf.spte), { write, exec })) {
      // The CPU's walk sets Accessed, and Dirty on a write, without a VM exit.
      let flags = spteFlags(leaf.spte);
      if (!root.role.adDisabled) flags |= SPTE_ACCESSED | (write ? SPTE_DIRTY : 0);
      hardwareSetAccessedDirty(state, leaf.table, leaf.index, leaf.spte - spteFlags(leaf.spte) + flags);
      return done(0, null);
    }
    // A guest access is not the pre-fault loop: a fresh fault per attempt (at most MAX_ATTEMPTS).
    const f = newPageFault(vcpu.id, gfn, fullGfn, isPrivate, roleAddressSpace(root.role), write, exec, false, host.nxHugePages);
    const code = (root.role.adDisabled ? fastPageFault(state, root, f) : undefined) ?? kvmTdpPageFault(state, root, f);
    if (code === RET_PF_FIXED || code === RET_PF_SPURIOUS || code === RET_PF_WRITE_PROTECTED) {
      rows.add(gfn, code === RET_PF_SPURIOUS ? 'SPURIOUS' : 'FIXED', f.goalLevel, PAGES_PER_LEVEL[f.goalLevel]!, null);
      continue;
    }
    if (code === RET_PF_EMULATE) {
      rows.add(gfn, 'EMULATE', 0, 0, null);
      return done(0, 'KVM_EXIT_MMIO');
    }
    rows.add(gfn, 'ERROR', 0, 0, errnoName(code));
    // kvm_mmu_prepare_memory_fault_exit: userspace sees KVM_EXIT_MEMORY_FAULT with EFAULT.
    const failed = done(code, code === EFAULT ? 'KVM_EXIT_MEMORY_FAULT' : null);
    // The answer and its failing row say which check failed (reason), so a refusal explains itself.
    failed.reason = faultErrorReason(state, f, code);
    failed.iterations[failed.iterations.length - 1]!.reason = failed.reason;
    return failed;
  }
  return done(0, null);
}
