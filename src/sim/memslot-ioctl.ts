// KVM_SET_USER_MEMORY_REGION2 (kvm_main.c:kvm_set_memory_region and
// check_memory_region_flags, x86.c:kvm_arch_prepare_memory_region) and what a change
// does to the page tables (kvm_arch_flush_shadow_memslot, kvm_mmu_slot_apply_flags).

import { invalid, overLimit } from './errors.js';
import { EEXIST, EINVAL, errnoName } from './errno.js';
import { KVM_MEM_MAX_NR_PAGES, KVM_USER_MEM_SLOTS, backingLevelOf, memslotView, type Memslot } from './memslots.js';
import { splitHugePagesTo4K, zapGfnRangeAllRoots } from './mmu/zap.js';
import { writeProtectSlot, recoverHugePages } from './mmu/dirty-log.js';
import { maxGfn, type VmState } from './state.js';
import type { MemslotFlag, MemslotResult, MemslotSpec } from './types.js';
import { U64_MAX, isPageAligned, parseU64 } from './u64.js';

const FLAGS: readonly MemslotFlag[] = ['readonly', 'guest_memfd', 'log_dirty_pages'];
/**
 * Default hva when the client gives none: 1 TiB per address space plus the gpa modulo
 * 1 TiB, so it is congruent with the gpa (huge pages stay possible), below the 47-bit
 * user address limit, and host pfns read like the gfns they back.
 */
const defaultHva = (asId: number, gpa: bigint): bigint => (BigInt(asId + 1) << 40n) + (gpa & ((1n << 40n) - 1n));

const result = (r: number, slot: Memslot | null): MemslotResult => ({ ret: r, errno: errnoName(r), memslot: slot ? memslotView(slot) : null });

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

  // check_memory_region_flags
  if (gmem && (!state.hasPrivateMem || logDirty)) return result(EINVAL, null);
  if (readonly && (state.hasProtectedState || gmem)) return result(EINVAL, null);
  // kvm_set_memory_region: alignment, user address, gmem offset, ids, wrap, size
  if (!isPageAligned(size) || !isPageAligned(gpa) || !isPageAligned(hva)) return result(EINVAL, null);
  if (hva + size - 1n > userAddressLimit(state) && size > 0n) return result(EINVAL, null);
  if (gmem && (!isPageAligned(gmemOffset) || gmemOffset + size > U64_MAX)) return result(EINVAL, null);
  if (asId >= (state.hasPrivateMem ? 1 : 2) || id >= KVM_USER_MEM_SLOTS) return result(EINVAL, null);
  if (gpa + size > U64_MAX + 1n) return result(EINVAL, null);
  if (size >> 12n > BigInt(KVM_MEM_MAX_NR_PAGES)) return result(EINVAL, null);

  const old = state.slots.byId(asId, id);
  if (size === 0n) {
    if (!old) return result(EINVAL, null);
    deleteSlot(state, old);
    return result(0, null);
  }
  const baseGfn = Number(gpa >> 12n);
  const npages = Number(size >> 12n);
  if (old) {
    // Private memslots are immutable; hva, size and READONLY cannot change in place.
    if (gmem || old.guestMemfd) return result(EINVAL, null);
    if (BigInt(old.hvaPfn) << 12n !== hva || old.npages !== npages || old.readonly !== readonly) return result(EINVAL, null);
    if (old.baseGfn !== baseGfn) {
      if (state.slots.overlaps(asId, id, baseGfn, baseGfn + npages)) return result(EEXIST, null);
      if (!prepareRegion(state, baseGfn, npages)) return result(EINVAL, null);
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
  if (state.slots.overlaps(asId, id, baseGfn, baseGfn + npages)) return result(EEXIST, null);
  if (!prepareRegion(state, baseGfn, npages)) return result(EINVAL, null);
  if (state.slots.count() >= state.limits.maxMemslots)
    throw overLimit(`this server allows at most ${state.limits.maxMemslots} memslots per VM`, 'slot');
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
    hostWritten: new Set(),
    dirtyPages: new Set(),
  };
  // KVM_MR_CREATE zaps nothing; stale MMIO SPTEs are replaced when next faulted.
  state.slots.insert(slot);
  return result(0, slot);
}

/** kvm_arch_prepare_memory_region: the slot must end below kvm_mmu_max_gfn and not in the alias half. */
function prepareRegion(state: VmState, baseGfn: number, npages: number): boolean {
  const last = baseGfn + npages - 1;
  if (last > maxGfn(state)) return false;
  if (state.config.type === 'tdx') {
    // kvm_is_gfn_alias with the TDX shared bit (47, or 51 for GPAW 52): the VM-wide widest.
    const bit = 2 ** ((state.config.host.maxPhysAddr > 48 ? 51 : 47) - 12);
    if (Math.floor(last / bit) % 2 === 1) return false;
  }
  return true;
}

/** DELETE /memslots/{as}/{slot}: KVM_SET_USER_MEMORY_REGION2 with size 0. */
export function deleteUserMemoryRegion(state: VmState, asId: number, id: number): MemslotResult {
  const old = state.slots.byId(asId, id);
  if (!old) return result(EINVAL, null);
  deleteSlot(state, old);
  return result(0, null);
}

/**
 * kvm_arch_flush_shadow_memslot: default VMs with KVM_X86_QUIRK_SLOT_ZAP_ALL (and every VM
 * before 6.12) invalidate all roots; other VM types zap only the slot's leaves.
 */
function deleteSlot(state: VmState, slot: Memslot): void {
  state.slots.remove(slot);
  const zapAll = !state.switches.slotZapAllQuirk || state.config.type === 'default';
  if (zapAll) state.roots.invalidateAll();
  else zapGfnRangeAllRoots(state, slot.baseGfn, slot.baseGfn + slot.npages);
}

/** kvm_mmu_slot_apply_flags for a KVM_MR_FLAGS_ONLY change of LOG_DIRTY_PAGES. */
function applyDirtyLogging(state: VmState, slot: Memslot, on: boolean): void {
  slot.logDirtyPages = on;
  const start = slot.baseGfn;
  const end = slot.baseGfn + slot.npages;
  const roots = state.roots.valid().filter((r) => (r.role.smm ? 1 : 0) === slot.asId);
  if (on) {
    slot.dirtyPages.clear();
    for (const root of roots) {
      if (state.config.host.eagerPageSplit) splitHugePagesTo4K(state, root, start, end);
      writeProtectSlot(state, root, start, end);
    }
  } else {
    for (const root of roots) recoverHugePages(state, root, slot);
  }
}
