// Memslots of the arm64 and s390 engines: one address space (both arches have
// kvm_arch_nr_memslot_as_ids() == 1), the generic checks of kvm_main.c:kvm_set_memory_region
// at the host PAGE_SIZE, and the per-slot backing the faults read. Addresses are kept in 4K
// frames on every arch (a 16K/64K host page is several frames), so gfn arithmetic is shared.

import { EEXIST, EINVAL, ioctlResult } from './errno.js';
import { invalid } from './errors.js';
import type { ArchBacking, ArchLevelName, ArchMemslotFlag, ArchMemslotSpec } from './arch-types.js';
import type { IoctlResult } from './types.js';
import { KVM_MEM_MAX_NR_PAGES, slotIdRefusal } from './memslots.js';
import { U64_MAX, gfnToHex, parseU64 } from './u64.js';

/** Bytes of each level name. */
export const LEVEL_BYTES: Record<ArchLevelName, number> = {
  '4K': 2 ** 12,
  '16K': 2 ** 14,
  '64K': 2 ** 16,
  '1M': 2 ** 20,
  '2M': 2 ** 21,
  '32M': 2 ** 25,
  '512M': 2 ** 29,
  '1G': 2 ** 30,
  '2G': 2 ** 31,
  '16G': 2 ** 34,
};
/** 4K frames per level name. */
export const levelFrames = (name: ArchLevelName): number => LEVEL_BYTES[name] / 4096;

export interface ArchMemslot {
  id: number;
  /** guest_phys_addr >> 12. */
  baseGfn: number;
  /** memory_size >> 12. */
  npages: number;
  /** userspace_addr >> 12: host physical frames are derived from it. */
  hvaFrame: number;
  readonly: boolean;
  guestMemfd: boolean;
  /** guest_memfd_offset >> 12. */
  gmemOffsetFrame: number;
  logDirtyPages: boolean;
  /** 4K frames of one host folio / hugetlb page backing the range. */
  backingFrames: number;
  backingName: ArchLevelName;
  hugetlb: boolean;
  /** The host PTEs are writable already (false: untouched anonymous memory, the zero page). */
  backingWritable: boolean;
  /** A VMA exists at the hva (false: vma_lookup fails, EFAULT). */
  backingMapped: boolean;
  /** First 4K gfn of every poisoned host page. */
  hwpoison: Set<number>;
}

export const slotEnd = (s: ArchMemslot): number => s.baseGfn + s.npages;
export const slotHvaFrame = (s: ArchMemslot, gfn: number): number => s.hvaFrame + (gfn - s.baseGfn);

/** The slots of address space 0, sorted by base, with a last-hit cache for the pre-fault loop. */
export class ArchMemslotSet {
  private readonly list: ArchMemslot[] = [];
  private last: ArchMemslot | undefined;

  all(): readonly ArchMemslot[] {
    return this.list;
  }

  byId(id: number): ArchMemslot | undefined {
    return this.list.find((s) => s.id === id);
  }

  /** kvm_check_memslot_overlap. */
  overlaps(id: number, start: number, end: number): boolean {
    return this.list.some((s) => s.id !== id && s.baseGfn < end && start < slotEnd(s));
  }

  insert(slot: ArchMemslot): void {
    this.list.push(slot);
    this.list.sort((a, b) => a.baseGfn - b.baseGfn);
    this.last = undefined;
  }

  remove(slot: ArchMemslot): void {
    this.list.splice(this.list.indexOf(slot), 1);
    this.last = undefined;
  }

  /** gfn_to_memslot. */
  lookup(gfn: number): ArchMemslot | undefined {
    const last = this.last;
    if (last && gfn >= last.baseGfn && gfn < last.baseGfn + last.npages) return last;
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.list[mid]!;
      if (gfn < s.baseGfn) hi = mid - 1;
      else if (gfn >= s.baseGfn + s.npages) lo = mid + 1;
      else return (this.last = s);
    }
    return undefined;
  }
}

/** A KVM_SET_USER_MEMORY_REGION2 request after the generic checks. */
export interface ParsedRegion {
  gpa: bigint;
  size: bigint;
  hva: bigint;
  gmemOffset: bigint;
  flags: ArchMemslotFlag[];
}

const FLAGS: readonly ArchMemslotFlag[] = ['readonly', 'guest_memfd', 'log_dirty_pages'];
/** Default hva: 1 TiB plus the gpa modulo 1 TiB, congruent with the gpa for every block size up to 2G. */
const defaultHva = (gpa: bigint): bigint => (1n << 40n) + (gpa & ((1n << 40n) - 1n));

/** The request's fields parsed: a 400 naming the field for what no ioctl could carry (an unknown or repeated flag, a u64 that does not parse). */
export function parseRegion(spec: ArchMemslotSpec): ParsedRegion {
  const flags = spec.flags ?? [];
  for (const fl of flags) if (!FLAGS.includes(fl)) throw invalid('flags', `unknown memslot flag ${String(fl)}`);
  if (new Set(flags).size !== flags.length) throw invalid('flags', 'memslot flags must not repeat');
  const gpa = parseU64(spec.guestPhysAddr, 'guestPhysAddr');
  const size = parseU64(spec.size, 'size');
  const hva = spec.userspaceAddr !== undefined ? parseU64(spec.userspaceAddr, 'userspaceAddr') : defaultHva(gpa);
  const gmemOffset = parseU64(spec.guestMemfdOffset ?? '0x0', 'guestMemfdOffset');
  return { gpa, size, hva, gmemOffset, flags };
}

/**
 * The arch-independent checks before the memslot lookup, in the kernel's order:
 * kvm_vm_ioctl_set_memory_region's slot id, check_memory_region_flags, then
 * kvm_set_memory_region's size, gpa and hva aligned to the host PAGE_SIZE, the guest_memfd
 * offset, the address space, no wrap, at most KVM_MEM_MAX_NR_PAGES host pages. Every
 * refusal is EINVAL; which one fires first decides the reason. Null when all pass.
 */
export function kvmSetMemoryRegionChecks(p: ParsedRegion, asId: number, id: number, arch: RegionChecksArch): { r: number; reason: string } | null {
  const refuse = (reason: string) => ({ r: EINVAL, reason });
  const badId = slotIdRefusal(id, arch.internalMemSlots);
  if (badId) return refuse(badId);
  const badFlags = checkMemoryRegionFlags(p.flags, arch.readonlyMem, arch.guestMemfd);
  if (badFlags) return refuse(badFlags);
  const pageBytes = LEVEL_BYTES[arch.hostPage];
  const mask = BigInt(pageBytes - 1);
  if ((p.size & mask) !== 0n) return refuse('memory_size is not PAGE_SIZE aligned (kvm_set_memory_region)');
  if ((p.gpa & mask) !== 0n) return refuse('guest_phys_addr is not PAGE_SIZE aligned (kvm_set_memory_region)');
  if ((p.hva & mask) !== 0n) return refuse('userspace_addr is not PAGE_SIZE aligned (kvm_set_memory_region)');
  if (p.flags.includes('guest_memfd') && ((p.gmemOffset & mask) !== 0n || p.gmemOffset + p.size > U64_MAX))
    return refuse('guest_memfd_offset is not PAGE_SIZE aligned or offset + size wraps (kvm_set_memory_region)');
  if (asId >= 1) return refuse('address space id is not below kvm_arch_nr_memslot_as_ids(), which is 1 (kvm_set_memory_region)');
  // "guest_phys_addr + memory_size < guest_phys_addr" in u64: a sum of 2^64 is 0, a wrap too.
  if (p.gpa + p.size > U64_MAX) return refuse('guest_phys_addr + memory_size wraps (kvm_set_memory_region)');
  if (p.size / BigInt(pageBytes) > BigInt(KVM_MEM_MAX_NR_PAGES))
    return refuse('memory_size is above KVM_MEM_MAX_NR_PAGES pages (kvm_set_memory_region)');
  return null;
}

/**
 * The slot record of a created region. `pageSizes` are the backing sizes the arch accepts
 * (contract "backing" table); a poisoned address must be host-page aligned and inside the slot.
 */
export function newArchMemslot(id: number, p: ParsedRegion, backing: ArchBacking | undefined, hostPage: ArchLevelName): ArchMemslot {
  const name = backing?.pageSize ?? hostPage;
  const baseGfn = Number(p.gpa >> 12n);
  const npages = Number(p.size >> 12n);
  const hostFrames = levelFrames(hostPage);
  const hwpoison = new Set<number>();
  for (const a of backing?.hwpoison ?? []) {
    const gfn = Number(parseU64(a, 'backing.hwpoison') >> 12n);
    if (gfn % hostFrames !== 0 || gfn < baseGfn || gfn >= baseGfn + npages)
      throw invalid('backing.hwpoison', 'backing.hwpoison addresses must be host-page aligned and inside the memslot');
    hwpoison.add(gfn);
  }
  if (hwpoison.size > 0 && (name !== hostPage || p.flags.includes('guest_memfd')))
    throw invalid('backing.hwpoison', 'backing.hwpoison needs pageSize equal to the host page size, on a slot without guest_memfd');
  return {
    id,
    baseGfn,
    npages,
    hvaFrame: Number(p.hva >> 12n),
    readonly: p.flags.includes('readonly'),
    guestMemfd: p.flags.includes('guest_memfd'),
    gmemOffsetFrame: Number(p.gmemOffset >> 12n),
    logDirtyPages: p.flags.includes('log_dirty_pages'),
    backingFrames: levelFrames(name),
    backingName: name,
    hugetlb: backing?.hugetlb ?? false,
    backingWritable: backing?.writable ?? true,
    backingMapped: backing?.mapped ?? true,
    hwpoison,
  };
}

/**
 * check_memory_region_flags (kvm_main.c): guest_memfd excludes dirty logging and read-only;
 * `readonlyMem` is kvm_arch_has_readonly_mem(). Null when the flags are valid.
 */
export function checkMemoryRegionFlags(flags: ArchMemslotFlag[], readonlyMem: boolean, guestMemfd: boolean): string | null {
  const gmem = flags.includes('guest_memfd');
  if (gmem && !guestMemfd) return 'KVM_MEM_GUEST_MEMFD is not a valid flag on this architecture (check_memory_region_flags)';
  if (gmem && flags.includes('log_dirty_pages'))
    return 'KVM_MEM_LOG_DIRTY_PAGES is not a valid flag together with KVM_MEM_GUEST_MEMFD (check_memory_region_flags)';
  if (flags.includes('readonly') && (!readonlyMem || gmem))
    return 'KVM_MEM_READONLY is not a valid flag here, kvm_arch_has_readonly_mem() or KVM_MEM_GUEST_MEMFD (check_memory_region_flags)';
  return null;
}

export interface ArchMemslotView {
  addressSpace: 0;
  slot: number;
  guestPhysAddr: string;
  size: string;
  userspaceAddr: string;
  flags: ArchMemslotFlag[];
  guestMemfdOffset: string;
  backing: { pageSize: ArchLevelName; hugetlb: boolean; hwpoison: string[]; writable: boolean; mapped: boolean };
}

export function archMemslotView(s: ArchMemslot): ArchMemslotView {
  const flags: ArchMemslotFlag[] = [];
  if (s.readonly) flags.push('readonly');
  if (s.guestMemfd) flags.push('guest_memfd');
  if (s.logDirtyPages) flags.push('log_dirty_pages');
  const h = gfnToHex;
  return {
    addressSpace: 0,
    slot: s.id,
    guestPhysAddr: h(s.baseGfn),
    size: h(s.npages),
    userspaceAddr: h(s.hvaFrame),
    flags,
    guestMemfdOffset: h(s.gmemOffsetFrame),
    backing: {
      pageSize: s.backingName,
      hugetlb: s.hugetlb,
      hwpoison: [...s.hwpoison].sort((a, b) => a - b).map(h),
      writable: s.backingWritable,
      mapped: s.backingMapped,
    },
  };
}

export interface ArchMemslotResult extends IoctlResult {
  memslot: ArchMemslotView | null;
}

/** What the generic checks need of the arch. */
export interface RegionChecksArch {
  hostPage: ArchLevelName;
  /** KVM_INTERNAL_MEM_SLOTS: the slot ids above the user slots that KVM keeps for itself. */
  internalMemSlots: number;
  /** kvm_arch_has_readonly_mem(). */
  readonlyMem: boolean;
  /** The arch accepts KVM_MEM_GUEST_MEMFD. */
  guestMemfd: boolean;
}

/** What differs per architecture in KVM_SET_USER_MEMORY_REGION2. */
export interface MemslotArchOps extends RegionChecksArch {
  /** The backing sizes the contract accepts (throws a 400 for others). */
  checkBacking(backing: ArchBacking | undefined): void;
  /** kvm_arch_prepare_memory_region for CREATE and MOVE: an errno and reason, or null. */
  prepare(region: ParsedRegion): { r: number; reason: string } | null;
  /** kvm_arch_flush_shadow_memslot: unmap the slot's range (DELETE, MOVE). */
  flush(slot: ArchMemslot): void;
  /** kvm_arch_commit_memory_region after KVM_MEM_LOG_DIRTY_PAGES was turned on or off. */
  logDirtyChanged(slot: ArchMemslot): void;
}

const result = (r: number, slot: ArchMemslot | null, reason?: string): ArchMemslotResult => ({
  ...ioctlResult(r, reason),
  memslot: slot ? archMemslotView(slot) : null,
});

/**
 * kvm_set_memory_region for one address space: generic checks, then DELETE (size 0), MOVE
 * (new base), FLAGS_ONLY or CREATE. An existing slot cannot change hva, size or READONLY.
 */
export function kvmSetMemoryRegion(set: ArchMemslotSet, asId: number, id: number, spec: ArchMemslotSpec, ops: MemslotArchOps): ArchMemslotResult {
  const p = parseRegion(spec);
  const checked = kvmSetMemoryRegionChecks(p, asId, id, ops);
  if (checked) return result(checked.r, null, checked.reason);
  const old = set.byId(id);
  if (p.size === 0n) {
    if (!old) return result(EINVAL, null, 'no memslot with this id to delete (kvm_set_memory_region)');
    ops.flush(old);
    set.remove(old);
    return result(0, null);
  }
  const baseGfn = Number(p.gpa >> 12n);
  const npages = Number(p.size >> 12n);
  if (old) {
    if (old.hvaFrame !== Number(p.hva >> 12n) || old.npages !== npages || old.readonly !== p.flags.includes('readonly'))
      return result(EINVAL, null, 'an existing memslot cannot change userspace_addr, memory_size or KVM_MEM_READONLY (kvm_set_memory_region)');
    if (old.guestMemfd !== p.flags.includes('guest_memfd'))
      return result(EINVAL, null, 'KVM_MEM_GUEST_MEMFD cannot change on an existing memslot (kvm_set_memory_region)');
    if (old.baseGfn !== baseGfn) {
      if (old.guestMemfd) return result(EINVAL, null, 'a KVM_MEM_GUEST_MEMFD memslot cannot be moved (kvm_set_memory_region)');
      if (set.overlaps(id, baseGfn, baseGfn + npages)) return result(EEXIST, null, OVERLAP);
      const refused = ops.prepare(p);
      if (refused) return result(refused.r, null, refused.reason);
      ops.flush(old);
      set.remove(old);
      old.baseGfn = baseGfn;
      set.insert(old);
      return result(0, old);
    }
    const logging = p.flags.includes('log_dirty_pages');
    if (old.logDirtyPages !== logging) {
      old.logDirtyPages = logging;
      ops.logDirtyChanged(old);
    }
    return result(0, old);
  }
  ops.checkBacking(spec.backing);
  if (set.overlaps(id, baseGfn, baseGfn + npages)) return result(EEXIST, null, OVERLAP);
  const refused = ops.prepare(p);
  if (refused) return result(refused.r, null, refused.reason);
  const slot = newArchMemslot(id, p, spec.backing, ops.hostPage);
  set.insert(slot);
  return result(0, slot);
}

const OVERLAP = 'the range overlaps another memslot of the address space (kvm_check_memslot_overlap, kvm_set_memory_region)';
