// Memslots (struct kvm_memory_slot) in up to two address spaces, their lookup, and the
// per-slot huge-page rules of x86.c:kvm_alloc_memslot_metadata.

import { PAGES_PER_LEVEL, gfnToHex, levelFromName, LEVEL_NAMES } from './u64.js';
import type { LevelName, MemslotFlag, MemslotView } from './types.js';

/** KVM_MEM_SLOTS_NUM (include/linux/kvm_host.h): SHRT_MAX slot ids per address space. */
const KVM_MEM_SLOTS_NUM = 0x7fff;
/** KVM_INTERNAL_MEM_SLOTS on x86: the APIC access page, the identity map and the TSS slots. */
export const X86_INTERNAL_MEM_SLOTS = 3;

/**
 * kvm_vm_ioctl_set_memory_region's first check, before kvm_set_memory_region looks at
 * anything: the slot id must be below KVM_USER_MEM_SLOTS, KVM_MEM_SLOTS_NUM minus the arch's
 * KVM_INTERNAL_MEM_SLOTS. The EINVAL's reason, or null.
 */
export const slotIdRefusal = (id: number, internalMemSlots: number): string | null =>
  id >= KVM_MEM_SLOTS_NUM - internalMemSlots ? 'slot id is not below KVM_USER_MEM_SLOTS (kvm_vm_ioctl_set_memory_region)' : null;
/** KVM_MEM_MAX_NR_PAGES: (1 << 31) - 1 pages per slot. */
export const KVM_MEM_MAX_NR_PAGES = 2 ** 31 - 1;

export interface Memslot {
  asId: number;
  id: number;
  baseGfn: number;
  npages: number;
  /** userspace_addr >> PAGE_SHIFT: host pfns are derived from it. */
  hvaPfn: number;
  readonly: boolean;
  guestMemfd: boolean;
  logDirtyPages: boolean;
  gmemOffsetPfn: number;
  /** Largest host leaf mapping the hva range (THP / hugetlbfs), as a level 1..3. */
  backingLevel: number;
  /** The host PTEs are already writable (false: untouched anonymous memory -> zero page). */
  backingWritable: boolean;
  backingMapped: boolean;
  /** backing.hugetlb as sent (x86: no effect, only echoed). */
  backingHugetlb?: boolean;
  /** Pages from the slot's start (so they follow the hva on a move) whose host page is poisoned (backing.hwpoison); undefined when not sent. */
  hwpoison?: Set<number>;
  /** Host pages (at backing granularity) a guest write has since made writable (CoW broken). */
  hostWritten: Set<number>;
}

/** The host page behind gfn is poisoned: hva_to_pfn gives KVM_PFN_ERR_HWPOISON. */
export const isHwpoisoned = (s: Memslot, gfn: number): boolean => s.hwpoison?.has(gfn - s.baseGfn) ?? false;

export const slotEndGfn = (s: Memslot): number => s.baseGfn + s.npages;

/** The KVM_MEM_* flags as the contract names them, in a fixed order. */
const memslotFlags = (s: Memslot): MemslotFlag[] => [
  ...(s.readonly ? (['readonly'] as const) : []),
  ...(s.guestMemfd ? (['guest_memfd'] as const) : []),
  ...(s.logDirtyPages ? (['log_dirty_pages'] as const) : []),
];

export function memslotView(s: Memslot): MemslotView {
  return {
    addressSpace: s.asId,
    slot: s.id,
    guestPhysAddr: gfnToHex(s.baseGfn),
    size: gfnToHex(s.npages),
    userspaceAddr: gfnToHex(s.hvaPfn),
    flags: memslotFlags(s),
    guestMemfdOffset: gfnToHex(s.gmemOffsetPfn),
    backing: {
      pageSize: LEVEL_NAMES[s.backingLevel] as LevelName,
      writable: s.backingWritable,
      mapped: s.backingMapped,
      ...(s.backingHugetlb !== undefined && { hugetlb: s.backingHugetlb }),
      ...(s.hwpoison && { hwpoison: [...s.hwpoison].sort((a, b) => a - b).map((i) => gfnToHex(s.baseGfn + i)) }),
    },
  };
}

/** One address space's slots, sorted by base gfn, with a last-hit cache for the fault loop. */
export class MemslotSet {
  private readonly spaces: Memslot[][] = [[], []];
  private last: Memslot | undefined;

  all(): Memslot[] {
    return [...this.spaces[0]!, ...this.spaces[1]!];
  }

  count(): number {
    return this.spaces[0]!.length + this.spaces[1]!.length;
  }

  byId(asId: number, id: number): Memslot | undefined {
    return this.spaces[asId]?.find((s) => s.id === id);
  }

  /** kvm_check_memslot_overlap: another slot of this address space intersects [start, end). */
  overlaps(asId: number, id: number, start: number, end: number): boolean {
    return this.spaces[asId]!.some((s) => s.id !== id && s.baseGfn < end && start < slotEndGfn(s));
  }

  insert(slot: Memslot): void {
    const list = this.spaces[slot.asId]!;
    list.push(slot);
    list.sort((a, b) => a.baseGfn - b.baseGfn);
    this.last = undefined;
  }

  remove(slot: Memslot): void {
    const list = this.spaces[slot.asId]!;
    list.splice(list.indexOf(slot), 1);
    this.last = undefined;
  }

  /** __gfn_to_memslot in address space asId (kvm_vcpu_gfn_to_memslot for the vCPU's AS). */
  lookup(asId: number, gfn: number): Memslot | undefined {
    const last = this.last;
    if (last && last.asId === asId && gfn >= last.baseGfn && gfn < last.baseGfn + last.npages) return last;
    const list = this.spaces[asId]!;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (gfn < s.baseGfn) hi = mid - 1;
      else if (gfn >= s.baseGfn + s.npages) lo = mid + 1;
      else {
        this.last = s;
        return s;
      }
    }
    return undefined;
  }
}

/**
 * kvm_alloc_memslot_metadata's disallow_lpage, computed instead of stored: the first and
 * last huge page of a slot are disallowed when the slot does not start/end on that
 * boundary, and every huge page is when gpa and hva are not congruent modulo its size.
 */
export function lpageDisallowedBySlot(slot: Memslot, gfn: number, level: number): boolean {
  const n = PAGES_PER_LEVEL[level]!;
  if (slot.baseGfn % n !== slot.hvaPfn % n) return true;
  const page = Math.floor(gfn / n);
  if (page === Math.floor(slot.baseGfn / n) && slot.baseGfn % n !== 0) return true;
  const end = slot.baseGfn + slot.npages;
  if (page === Math.floor((end - 1) / n) && end % n !== 0) return true;
  return false;
}

export const backingLevelOf = (name: LevelName | undefined): number => levelFromName(name ?? '4K');
