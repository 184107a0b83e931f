// kvm_s390_faultin_gfn for a read (arch/s390/kvm/gmap/faultin.c): the minor path on the
// gmap first (it does not look at memslots), then the slow path, looping while the result
// is EAGAIN: memslot, __kvm_faultin_pfn, the invalidation re-check, gmap_link.

import { EFAULT } from '../errno.js';
import { slotHvaFrame, type ArchMemslot } from '../generic-memslots.js';
import { LEVEL_FRAMES, entryFlags, entryOrigin, type DatWalk } from './dat.js';
import { MINOR_FIXED, MINOR_VALID, gmapLargeAllowed, gmapLink, gmapTryFixupMinor, type Gmap, type LinkResult } from './gmap.js';
import type { S390State } from './state.js';

/** The program-interruption code of an addressing exception (a positive result of the fault-in). */
export const PGM_ADDRESSING = 0x05;

/** struct guest_fault, reduced: what was resolved and how (S-TRACK: the page size is known after the locks are dropped). */
export interface GuestFault {
  /** Level of the leaf that resolved the fault: 1 PTE, 2 segment, 3 region-3. */
  level: number;
  /** The minor path found the leaf valid: nothing changed. */
  spurious: boolean;
  link: LinkResult;
}

export interface FaultinEnv {
  racesLeft: number;
  invalidSlot: ArchMemslot | undefined;
}

/** Returns 0, a negative errno, or PGM_ADDRESSING. */
export function kvmS390FaultinGfn(state: S390State, gmap: Gmap, gfn: number, env: FaultinEnv, w: DatWalk, f: GuestFault): number {
  // Minor path (read mmu_lock): only inside the ASCE's reach; beyond it the walk fails and the slow path decides.
  if (gmap.dat.contains(gfn)) {
    const m = gmapTryFixupMinor(gmap, gfn, w);
    if (m === MINOR_VALID || m === MINOR_FIXED) {
      f.level = w.level;
      f.spurious = m === MINOR_VALID;
      f.link.gfn = gfn - (gfn % LEVEL_FRAMES[w.level]!);
      f.link.origin = entryOrigin(w.entry);
      f.link.flags = entryFlags(w.entry);
      return 0;
    }
  }
  for (;;) {
    // kvm_vcpu_gfn_to_memslot; a KVM_MEMSLOT_INVALID slot's hva lookup fails too ("no slot").
    const slot = state.slots.lookup(gfn);
    if (!slot || slot === env.invalidSlot) return PGM_ADDRESSING;
    // __kvm_faultin_pfn: no VMA (KVM_PFN_ERR_FAULT) or a poisoned page (KVM_PFN_ERR_HWPOISON) are error pfns -> EFAULT.
    if (!slot.backingMapped || slot.hwpoison.has(gfn)) return EFAULT;
    // An invalidation raced (unlocked check, then again under the mmu_lock): retry.
    if (env.racesLeft > 0) {
      env.racesLeft--;
      continue;
    }
    const pfn = slotHvaFrame(slot, gfn);
    // gmap_link: 2G, else 1M, else a PTE, by the folio order and what the VM allows.
    let level = 1;
    if (slot.backingFrames >= LEVEL_FRAMES[3] && gmapLargeAllowed(state.config.s390.hpage2g, slot, gfn, pfn, LEVEL_FRAMES[3])) level = 3;
    else if (slot.backingFrames >= LEVEL_FRAMES[2] && gmapLargeAllowed(state.config.s390.hpage1m, slot, gfn, pfn, LEVEL_FRAMES[2])) level = 2;
    // "map read fault as writable if possible": the host's writability (s390 has no read-only slots).
    const r = gmapLink(gmap, gfn, pfn, level, slot.backingWritable, f.link);
    // ENOMEM, or an EAGAIN that needs a host-side remap race the contract cannot inject: reported, not spun on.
    if (r < 0) return r;
    f.level = f.link.level;
    f.spurious = false;
    return 0;
  }
}
