// KVM_SET_USER_MEMORY_REGION2 (kvm_main.c:kvm_set_memory_region and
// check_memory_region_flags, x86.c:kvm_arch_prepare_memory_region) and what a change
// does to the page tables (kvm_arch_flush_shadow_memslot, kvm_mmu_slot_apply_flags).

import { invalid, overLimit } from './errors.js';
import { EEXIST, EINVAL, ioctlResult } from './errno.js';
import { isAliasGfn } from './vm-config.js';
import { KVM_MEM_MAX_NR_PAGES, X86_INTERNAL_MEM_SLOTS, backingLevelOf, memslotView, slotIdRefusal, type Memslot } from './memslots.js';
import { kvmMmuZapMemslotLeafs, splitHugePagesTo4K } from './mmu/zap.js';
import { pruneObsoleteRoots } from './mmu/load.js';
import { writeProtectSlot, recoverHugePages } from './mmu/dirty-log.js';
import { kvmGfnDirectBits, maxGfn, type VmState } from './state.js';
import type { MemslotFlag, MemslotResult, MemslotSpec } from './types.js';
import { U64_MAX, isPageAligned, parseU64 } from './u64.js';

const FLAGS: readonly MemslotFlag[] = ['readonly', 'guest_memfd', 'log_dirty_pages'];
/**
 * Default hva when the client gives none: 1 TiB per address space plus the gpa modulo
 * 1 TiB, so it is congruent with the gpa (huge pages stay possible), below the 47-bit
 * user address limit, and host pfns read like the gfns they back.
 */
const defaultHva = (asId: number, gpa: bigint): bigint => (BigInt(asId + 1) << 40n) + (gpa & ((1n << 40n) - 1n));

const result = (r: number, slot: Memslot | null, reason?: string): MemslotResult => ({
  ...ioctlResult(r, reason),
  memslot: slot ? memslotView(slot) : null,
});
const fail = (r: number, reason: string): MemslotResult => result(r, null, reason);

/** Largest user address (access_ok): 4-level hosts have 47 bits of user space, LA57 hosts 56. */
function userAddressLimit(state: VmState): bigint {
  const h = state.config.host;
  const la57 = h.vendor === 'amd' ? h.pagingLevel === 5 : h.maxTdpLevel === 5;
  return (1n << (la57 ? 56n : 47n)) - 4096n;
}

/** PUT /memslots/{as}/{slot}: create, move, change flags, or (size 0) delete. */
export function setUserMemoryRegion(state: VmState, asId: number, id: number, spec: MemslotSpec): MemslotResult {
  const flags = spec.flags ?? [];
  for (const fl of flags) if (!FLAGS.includes(fl)) throw invalid('flags', `unknown memslot flag ${String(fl)}`);
  if (new Set(flags).size !== flags.length) throw invalid('flags', 'memslot flags must not repeat');
  const gpa = parseU64(spec.guestPhysAddr, 'guestPhysAddr');
  const size = parseU64(spec.size, 'size');
  const gmemOffset = parseU64(spec.guestMemfdOffset ?? '0x0', 'guestMemfdOffset');
  const hva = spec.userspaceAddr !== undefined ? parseU64(spec.userspaceAddr, 'userspaceAddr') : defaultHva(asId, gpa);
  const readonly = flags.includes('readonly');
  const gmem = flags.includes('guest_memfd');
  const logDirty = flags.includes('log_dirty_pages');

  const badId = slotIdRefusal(id, X86_INTERNAL_MEM_SLOTS);
  if (badId) return fail(EINVAL, badId);
  // check_memory_region_flags
  if (gmem && !state.hasPrivateMem) return fail(EINVAL, 'KVM_MEM_GUEST_MEMFD on a VM type without private memory (check_memory_region_flags)');
  if (gmem && logDirty)
    return fail(EINVAL, 'KVM_MEM_LOG_DIRTY_PAGES is not a valid flag together with KVM_MEM_GUEST_MEMFD (check_memory_region_flags)');
  if (readonly && state.hasProtectedState)
    return fail(EINVAL, 'KVM_MEM_READONLY on a VM with protected state, kvm_arch_has_readonly_mem() is false (check_memory_region_flags)');
  if (readonly && gmem) return fail(EINVAL, 'KVM_MEM_READONLY is not a valid flag together with KVM_MEM_GUEST_MEMFD (check_memory_region_flags)');
  // kvm_set_memory_region: alignment, user address, gmem offset, address space, wrap, size
  if (!isPageAligned(size)) return fail(EINVAL, 'memory_size is not page aligned (kvm_set_memory_region)');
  if (!isPageAligned(gpa)) return fail(EINVAL, 'guest_phys_addr is not page aligned (kvm_set_memory_region)');
  if (!isPageAligned(hva)) return fail(EINVAL, 'userspace_addr is not page aligned (kvm_set_memory_region)');
  if (hva + size - 1n > userAddressLimit(state) && size > 0n)
    return fail(EINVAL, 'userspace_addr range is not a user address range, access_ok() fails (kvm_set_memory_region)');
  if (gmem && (!isPageAligned(gmemOffset) || gmemOffset + size > U64_MAX))
    return fail(EINVAL, 'guest_memfd_offset is not page aligned or offset + size wraps (kvm_set_memory_region)');
  if (asId >= (state.hasPrivateMem ? 1 : 2))
    return fail(EINVAL, 'address space id is not below kvm_arch_nr_memslot_as_ids() (kvm_set_memory_region)');
  // "guest_phys_addr + memory_size < guest_phys_addr" in u64: a sum of 2^64 is 0, a wrap too.
  if (gpa + size > U64_MAX) return fail(EINVAL, 'guest_phys_addr + memory_size wraps (kvm_set_memory_region)');
  if (size >> 12n > BigInt(KVM_MEM_MAX_NR_PAGES)) return fail(EINVAL, 'memory_size is above KVM_MEM_MAX_NR_PAGES pages (kvm_set_memory_region)');

  const old = state.slots.byId(asId, id);
  if (size === 0n) {
    if (!old) return fail(EINVAL, NO_SLOT_TO_DELETE);
    deleteSlot(state, old);
    return result(0, null);
  }
  const baseGfn = Number(gpa >> 12n);
  const npages = Number(size >> 12n);
  if (old) {
    // Private memslots are immutable; hva, size and READONLY cannot change in place.
    if (gmem || old.guestMemfd) return fail(EINVAL, 'a KVM_MEM_GUEST_MEMFD memslot cannot be moved or changed, only deleted (kvm_set_memory_region)');
    if (BigInt(old.hvaPfn) << 12n !== hva || old.npages !== npages || old.readonly !== readonly)
      return fail(EINVAL, 'an existing memslot cannot change userspace_addr, memory_size or KVM_MEM_READONLY (kvm_set_memory_region)');
    if (old.baseGfn !== baseGfn) {
      if (state.slots.overlaps(asId, id, baseGfn, baseGfn + npages)) return fail(EEXIST, OVERLAP);
      const refused = prepareRegion(state, baseGfn, npages);
      if (refused) return fail(EINVAL, refused);
      // KVM_MR_MOVE: the old range is flushed like a delete, then the slot reappears.
      deleteSlot(state, old);
      old.baseGfn = baseGfn;
      state.slots.insert(old);
      return result(0, old);
    }
    if (old.logDirtyPages === logDirty) return result(0, old); // nothing to change
    applyDirtyLogging(state, old, logDirty);
    return result(0, old);
  }
  if (state.slots.overlaps(asId, id, baseGfn, baseGfn + npages)) return fail(EEXIST, OVERLAP);
  const refused = prepareRegion(state, baseGfn, npages);
  if (refused) return fail(EINVAL, refused);
  if (state.slots.count() >= state.limits.maxMemslots)
    throw overLimit(`this server allows at most ${state.limits.maxMemslots} memslots per VM`, 'slot');
  const hwpoison = spec.backing?.hwpoison && poisonedPages(spec, baseGfn, npages, gmem);
  const slot: Memslot = {
    asId,
    id,
    baseGfn,
    npages,
    hvaPfn: Number(hva >> 12n),
    readonly,
    guestMemfd: gmem,
    logDirtyPages: logDirty,
    gmemOffsetPfn: Number(gmemOffset >> 12n),
    backingLevel: backingLevelOf(spec.backing?.pageSize),
    backingWritable: spec.backing?.writable ?? true,
    backingMapped: spec.backing?.mapped ?? true,
    ...(spec.backing?.hugetlb !== undefined && { backingHugetlb: spec.backing.hugetlb }),
    ...(hwpoison && { hwpoison }),
    hostWritten: new Set(),
  };
  // KVM_MR_CREATE zaps nothing; stale MMIO SPTEs are replaced when next faulted.
  state.slots.insert(slot);
  return result(0, slot);
}

/**
 * backing.hwpoison (contract v2): host-page (4K) aligned guest addresses inside the slot, on a
 * 4K-backed slot without guest_memfd. Returns them as pages from the slot's start.
 */
function poisonedPages(spec: MemslotSpec, baseGfn: number, npages: number, gmem: boolean): Set<number> {
  if ((spec.backing?.pageSize ?? '4K') !== '4K' || gmem)
    throw invalid('backing.hwpoison', 'backing.hwpoison needs pageSize equal to the host page size (4K), on a slot without guest_memfd');
  const pages = new Set<number>();
  for (const a of spec.backing!.hwpoison!) {
    const gpa = parseU64(a, 'backing.hwpoison');
    const gfn = Number(gpa >> 12n);
    if (!isPageAligned(gpa) || gpa >> 12n < BigInt(baseGfn) || gfn >= baseGfn + npages)
      throw invalid('backing.hwpoison', 'backing.hwpoison addresses must be host-page aligned and inside the memslot');
    pages.add(gfn - baseGfn);
  }
  return pages;
}

/**
 * kvm_arch_prepare_memory_region (CREATE/MOVE): the slot must end at or below kvm_mmu_max_gfn()
 * (host MAXPHYADDR) and not in the TD's alias half. Returns why it refuses, or null.
 */
function prepareRegion(state: VmState, baseGfn: number, npages: number): string | null {
  const last = baseGfn + npages - 1;
  if (last > maxGfn(state)) return "the slot's last gfn is above kvm_mmu_max_gfn(), the host MAXPHYADDR (kvm_arch_prepare_memory_region)";
  // kvm_is_gfn_alias: the one shared bit of the TD, fixed at KVM_TDX_INIT_VM.
  const bit = kvmGfnDirectBits(state);
  if (bit && isAliasGfn(last, bit)) return "the slot's last gfn has the TD's shared bit set, kvm_is_gfn_alias() (kvm_arch_prepare_memory_region)";
  return null;
}

const OVERLAP = 'the range overlaps another memslot of this address space (kvm_check_memslot_overlap)';
const NO_SLOT_TO_DELETE = 'deleting a memslot that does not exist (kvm_set_memory_region)';

/** DELETE /memslots/{as}/{slot}: KVM_SET_USER_MEMORY_REGION2 with size 0. */
export function deleteUserMemoryRegion(state: VmState, asId: number, id: number): MemslotResult {
  const old = state.slots.byId(asId, id);
  if (!old) return fail(EINVAL, NO_SLOT_TO_DELETE);
  deleteSlot(state, old);
  return result(0, null);
}

/**
 * kvm_arch_flush_shadow_memslot -> kvm_memslot_flush_zap_all: a default VM with
 * KVM_X86_QUIRK_SLOT_ZAP_ALL enabled (and every VM before 6.12, which always zaps all)
 * invalidates all roots; other VM types, or the quirk disabled through
 * KVM_CAP_DISABLE_QUIRKS2, zap only the slot's leaves (kvm_mmu_zap_memslot_leafs).
 */
function deleteSlot(state: VmState, slot: Memslot): void {
  state.slots.remove(slot);
  const quirkOn = !state.config.quirksDisabled?.includes('SLOT_ZAP_ALL');
  const zapAll = !state.switches.slotZapAllQuirk || (state.config.type === 'default' && quirkOn);
  if (zapAll) {
    state.roots.invalidateAll();
    // kvm_tdp_mmu_zap_invalidated_roots puts the MMU's own reference: unheld roots go now.
    pruneObsoleteRoots(state);
  } else kvmMmuZapMemslotLeafs(state, slot);
}

/** kvm_mmu_slot_apply_flags for a KVM_MR_FLAGS_ONLY change of LOG_DIRTY_PAGES. */
function applyDirtyLogging(state: VmState, slot: Memslot, on: boolean): void {
  slot.logDirtyPages = on;
  const start = slot.baseGfn;
  const end = slot.baseGfn + slot.npages;
  const roots = state.roots.valid().filter((r) => (r.role.smm ? 1 : 0) === slot.asId);
  if (on) {
    for (const root of roots) {
      // kvm_mmu_slot_try_split_huge_pages returns at once without the TDP MMU.
      if (state.config.host.eagerPageSplit && state.config.host.tdpMmu) splitHugePagesTo4K(state, root, start, end);
      writeProtectSlot(state, root, start, end);
    }
  } else {
    for (const root of roots) recoverHugePages(state, root, slot);
  }
}
