// Field-by-field conversions between the engine's camelCase vocabulary and the neutral
// snake_case scenario format (docs/scenario-format.md).
import type { HostConfig, IterationRow, MappingRow, MemslotSpec, MemslotView, RootRef, VcpuModePatch, VcpuView } from '../sim/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- scenario JSON is dynamic: each field is read and converted where it is used
export type Json = Record<string, any>;

/** A whole scenario file: the neutral format's one required field is its steps. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as Json: each step is read where it is used
export type ScenarioFile = Json & { steps: any[] };

export const hostToNeutral = (h: HostConfig): Json => ({
  vendor: h.vendor,
  tdp_enabled: h.tdp,
  tdp_mmu: h.tdpMmu,
  max_tdp_level: h.maxTdpLevel,
  forced_root_level: h.vendor === 'amd' ? h.pagingLevel : null,
  host_maxphyaddr: h.maxPhysAddr,
  ad_bits: h.adBits,
  nx_huge_pages: h.nxHugePages,
  max_huge_page_level: h.maxHugePageLevel,
  mmio_caching: h.mmioCaching,
  eager_page_split: h.eagerPageSplit,
});

/** `when` overrides an `alternate` names, e.g. { "host.mmio_caching": false }. */
export function hostFromNeutral(h: Json, when: Json = {}): Partial<HostConfig> {
  const pick = (key: string): Json[string] => (`host.${key}` in when ? when[`host.${key}`] : h[key]);
  const host: Record<string, unknown> = {
    vendor: pick('vendor'),
    tdp: pick('tdp_enabled'),
    tdpMmu: pick('tdp_mmu'),
    maxTdpLevel: pick('max_tdp_level') ?? undefined,
    pagingLevel: pick('forced_root_level') ?? undefined,
    maxPhysAddr: pick('host_maxphyaddr'),
    adBits: pick('ad_bits'),
    nxHugePages: pick('nx_huge_pages'),
    maxHugePageLevel: pick('max_huge_page_level'),
    mmioCaching: pick('mmio_caching'),
    eagerPageSplit: pick('eager_page_split'),
  };
  return Object.fromEntries(Object.entries(host).filter(([, v]) => v !== undefined && v !== null)) as Partial<HostConfig>;
}

export const memslotToNeutral = (as: number, slot: number, m: MemslotSpec | MemslotView): Json => ({
  slot,
  as_id: as,
  guest_phys_addr: m.guestPhysAddr,
  size: m.size,
  ...(m.userspaceAddr !== undefined ? { userspace_addr: m.userspaceAddr } : {}),
  flags: (m.flags ?? []).map((f) => f.toUpperCase()),
  ...(m.guestMemfdOffset !== undefined ? { guest_memfd_offset: m.guestMemfdOffset } : {}),
  backing: {
    host_page_size: m.backing?.pageSize ?? '4K',
    host_pte_writable: m.backing?.writable ?? true,
    mapped: m.backing?.mapped ?? true,
    // Contract v2 inputs: written only when sent, under the names arch-scenario uses for arm64.
    ...(m.backing?.hugetlb !== undefined ? { hugetlb: m.backing.hugetlb } : {}),
    ...(m.backing?.hwpoison !== undefined ? { hwpoison: m.backing.hwpoison } : {}),
  },
});

export const memslotFromNeutral = (m: Json): MemslotSpec => ({
  guestPhysAddr: m.guest_phys_addr,
  size: m.size,
  ...(m.userspace_addr ? { userspaceAddr: m.userspace_addr } : {}),
  flags: (m.flags ?? []).map((f: string) => f.toLowerCase()),
  ...(m.guest_memfd_offset ? { guestMemfdOffset: m.guest_memfd_offset } : {}),
  backing: Object.fromEntries(
    Object.entries({
      pageSize: m.backing?.host_page_size,
      writable: m.backing?.host_pte_writable,
      mapped: m.backing?.mapped,
      hugetlb: m.backing?.hugetlb,
      hwpoison: m.backing?.hwpoison,
    }).filter(([, v]) => v !== undefined),
  ),
});

export const vcpuToNeutral = (v: VcpuView | { id: number; maxPhysAddr?: number; smm?: boolean; guestMode?: boolean; nestedTdp?: boolean }): Json => ({
  id: v.id,
  maxphyaddr: v.maxPhysAddr ?? 46,
  smm: v.smm ?? false,
  guest_mode: v.guestMode ?? false,
  l1_uses_tdp_for_l2: v.nestedTdp ?? true,
});

export const modeToNeutral = (p: VcpuModePatch): Json => ({
  ...(p.maxPhysAddr !== undefined ? { maxphyaddr: p.maxPhysAddr } : {}),
  ...(p.smm !== undefined ? { smm: p.smm } : {}),
  ...(p.guestMode !== undefined ? { guest_mode: p.guestMode } : {}),
  ...(p.nestedTdp !== undefined ? { l1_uses_tdp_for_l2: p.nestedTdp } : {}),
});

export function modeFromNeutral(x: Json): VcpuModePatch {
  const p: VcpuModePatch = {};
  if (x.maxphyaddr !== undefined) p.maxPhysAddr = x.maxphyaddr;
  if (x.smm !== undefined) p.smm = x.smm;
  if (x.guest_mode !== undefined) p.guestMode = x.guest_mode;
  if (x.l1_uses_tdp_for_l2 !== undefined && x.l1_uses_tdp_for_l2 !== null) p.nestedTdp = x.l1_uses_tdp_for_l2;
  return p;
}

export const retToNeutral = (r: { ret: number; errno: string | null }): number | string => (r.ret === 0 ? 0 : `-${r.errno}`);

export const iterationToNeutral = (it: IterationRow): Json => ({
  gpa: it.gpa,
  result: it.result,
  ...(it.level !== null ? { level: it.level } : {}),
  consumed: it.consumed,
  count: it.count,
  ...(it.count > 1 ? { gpa_step: it.consumed } : {}),
  ...(it.errno !== null ? { errno: `-${it.errno}` } : {}),
  ...(it.reason ? { reason: it.reason } : {}),
});

export const rowToNeutral = (row: MappingRow, root: string | undefined): Json =>
  row.kind === 'mmio'
    ? { ...(root ? { root } : {}), gpa: row.gpa, level: row.level, count: row.count, kind: 'mmio' }
    : {
        ...(root ? { root } : {}),
        gpa: row.gpa,
        level: row.level,
        count: row.count,
        kind: 'ram',
        private: row.private,
        writable: row.writable,
        dirty: row.dirty,
        accessed: row.accessed,
        executable: row.executable,
      };

export const roleToNeutral = (r: RootRef): Json => ({
  level: r.level,
  direct: 1,
  access: 7,
  cr0_wp: 1,
  efer_nx: 1,
  has_4_byte_gpte: 0,
  smm: Number(r.smm),
  guest_mode: Number(r.guestMode),
  ad_disabled: Number(r.adDisabled),
  is_mirror: Number(r.mirror),
  as_id: r.addressSpace,
});

const byGpa = (a: Json, b: Json): number => (BigInt(a.gpa) < BigInt(b.gpa) ? -1 : BigInt(a.gpa) > BigInt(b.gpa) ? 1 : 0);
export const sortByGpa = (rows: Json[]): Json[] => [...rows].sort(byGpa);

/** arm64 descriptor / s390 entry bits (contract v2 `archBits`) as the neutral `arch_bits`. */
export function archBitsToNeutral(bits: Json): Json {
  const names: Record<string, string> = { memAttr: 'mem_attr', s2apR: 's2ap_r', s2apW: 's2ap_w' };
  return Object.fromEntries(Object.entries(bits).map(([k, v]) => [names[k] ?? k, v]));
}

/** Whether an actual arm64/s390 mapping row's bits differ from a record's `arch_bits` (only when the record has them). */
export function archBitsDiffer(expected: Json, actual: Json): boolean {
  if (expected.arch_bits === undefined) return false;
  const got = archBitsToNeutral(actual.archBits ?? {});
  const keys = new Set([...Object.keys(expected.arch_bits as Json), ...Object.keys(got)]);
  return [...keys].some((k) => (expected.arch_bits as Json)[k] !== got[k]);
}
