// make_spte (spte.c): the leaf SPTE a fault or a prefetch installs, per kernel version.

import type { VmState } from '../state.js';
import type { TdpRoot } from './roots.js';
import {
  SPTE_ACCESSED,
  SPTE_DIRTY,
  SPTE_EXECUTABLE,
  SPTE_HOST_WRITABLE,
  SPTE_HUGE,
  SPTE_PRESENT,
  SPTE_SIM_PRIVATE,
  SPTE_WRITABLE,
  SHADOW_NONPRESENT,
  isLastSpte,
  isMmioFlags,
  markSpteForAccessTrack,
  spteFlags,
} from './spte.js';

/**
 * is_writable_pte(old_spte) as make_spte (6.11-6.12) reads it: bit 1 of the stored SPTE,
 * which a writable leaf, every table pointer and an EPT MMIO SPTE (0b110) have.
 */
function oldHasWritableBit(state: VmState, old: number, level: number): boolean {
  if (old === SHADOW_NONPRESENT) return false;
  const f = spteFlags(old);
  if (isMmioFlags(f)) return state.config.host.vendor === 'intel';
  if (!isLastSpte(old, level)) return true;
  return (f & SPTE_WRITABLE) !== 0;
}

/**
 * make_spte (spte.c) for full TDP access: the flags of the leaf a fault installs over
 * `old` (the pfn is the fault's). Version rules: 6.11-6.12 set D with W unless the old
 * SPTE had bit 1 ("if (is_writable_pte(old_spte)) goto out"), and EPT without A/D has no
 * A/D masks; from 6.13 D is always set with W and the EPT A/D bits are written anyway.
 * `prefetch` and `hostWritable` are make_spte's (a fault passes fault->prefetch and
 * fault->map_writable); `isPrivate` marks a private (guest_memfd) leaf.
 */
export function makeLeafFlags(
  state: VmState,
  root: TdpRoot,
  level: number,
  old: number,
  prefetch: boolean,
  hostWritable: boolean,
  isPrivate: boolean,
): number {
  let flags = SPTE_PRESENT;
  const huge = level > 1;
  if (huge) flags |= SPTE_HUGE;
  // The NX huge page mitigation makes every huge SPTE non-executable.
  if (!(huge && state.config.host.nxHugePages)) flags |= SPTE_EXECUTABLE;
  const adDisabled = root.role.adDisabled;
  const adMasks = !adDisabled || state.switches.adBitsAlways;
  if (!prefetch && adMasks) flags |= SPTE_ACCESSED;
  if (hostWritable) {
    flags |= SPTE_HOST_WRITABLE | SPTE_WRITABLE;
    const skipDirty = !state.switches.adBitsAlways && oldHasWritableBit(state, old, level);
    if (adMasks && !skipDirty) flags |= SPTE_DIRTY;
  }
  if (prefetch && adDisabled) flags = markSpteForAccessTrack(flags, true); // with A/D, A is clear already
  if (isPrivate) flags |= SPTE_SIM_PRIVATE;
  return flags;
}
