// fast_page_fault (mmu.c): fix a leaf outside mmu_lock, without the slow path, when the
// fault only needs access tracking undone or W given back to an MMU-writable SPTE. The
// caller runs it where page_fault_can_be_fast allows: roots without A/D bits.

import type { VmState } from '../state.js';
import { hex } from '../u64.js';
import { findLeaf } from './inspect.js';
import { RET_PF_FIXED, RET_PF_INVALID, RET_PF_SPURIOUS, pfErrorCode, type KvmPageFault } from './internal.js';
import type { TdpRoot } from './roots.js';
import { emit, fastPfFixDirectSpte, sptepOf, traceSpte } from './set-spte.js';
import {
  SPTE_ACCESSED,
  SPTE_ACCESS_TRACKED,
  SPTE_HOST_WRITABLE,
  SPTE_WRITABLE,
  isAccessAllowed,
  isMmioSpte,
  makeSpte,
  spteFlags,
  sptePfn,
} from './spte.js';

/**
 * Returns RET_PF_FIXED or RET_PF_SPURIOUS (at the initial 4K goal), or undefined to go on
 * to the slow path (RET_PF_INVALID: no leaf, or one the fast path cannot fix).
 */
export function fastPageFault(state: VmState, root: TdpRoot, f: KvmPageFault): number | undefined {
  const leaf = findLeaf(root, f.addrGfn);
  if (!leaf || isMmioSpte(leaf.spte)) return undefined;
  const old = leaf.spte;
  const slot = state.slots.lookup(f.asId, f.gfn); // fault->slot, looked up by kvm_mmu_do_page_fault
  const flags = spteFlags(old);
  let ret = RET_PF_INVALID;
  let next = flags;
  if (isAccessAllowed(flags, f)) ret = RET_PF_SPURIOUS;
  else {
    // restore_acc_track_spte; from 6.13 also "| shadow_accessed_mask" (A written without hardware A/D).
    if (flags & SPTE_ACCESS_TRACKED) next = (next & ~SPTE_ACCESS_TRACKED) | (state.switches.adBitsAlways ? SPTE_ACCESSED : 0);
    // Only an MMU-writable SPTE gets W back here; never a huge one in a dirty-logging slot.
    if (f.write && next & SPTE_HOST_WRITABLE && !(leaf.level > 1 && slot?.logDirtyPages)) next |= SPTE_WRITABLE;
    // The kernel also stops when nothing changed (new_spte == spte); here that cannot pass
    // is_access_allowed, which the unchanged SPTE already failed above.
    if (isAccessAllowed(next, f)) {
      fastPfFixDirectSpte(state, leaf.table, leaf.index, makeSpte(sptePfn(old), next));
      ret = RET_PF_FIXED;
    }
  }
  if (state.trace !== undefined)
    emit(state, {
      name: 'fast_page_fault',
      vcpuId: f.vcpuId,
      cr2OrGpa: hex(BigInt(f.addrGfn) << 12n),
      errorCode: hex(pfErrorCode(f, (flags & SPTE_ACCESS_TRACKED) === 0)),
      sptep: sptepOf(leaf.table, leaf.index),
      oldSpte: traceSpte(state, root, old, leaf.level),
      newSpte: traceSpte(state, root, leaf.table.spt[leaf.index]!, leaf.level),
      ret,
    });
  if (ret === RET_PF_INVALID) return undefined;
  f.goalLevel = 1;
  if (ret === RET_PF_FIXED) {
    const now = leaf.table.spt[leaf.index]!;
    f.installed = true;
    f.installedFlags = spteFlags(now);
    f.installedPfn = sptePfn(now);
    f.installedGfn = leaf.table.entryGfn(leaf.index);
    f.installedLevel = leaf.level;
  }
  return ret;
}
