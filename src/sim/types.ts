// The engine's public vocabulary: configuration, operations and their results.
// Everything here is plain JSON (u64 values are lower-case "0x..." strings), so an
// operation can be logged, exported and replayed byte for byte.

export type Hex = string;

export type LevelName = '4K' | '2M' | '1G';
export type VmType = 'default' | 'sw_protected' | 'sev' | 'sev_es' | 'sev_snp' | 'tdx';
export type Vendor = 'intel' | 'amd';
export type PrefaultPolicy = 'upstream' | 'switch-root-mmu' | 'reject-smm-guest-mode';
/** Every kernel the engines know, oldest first (contract v2: x86 takes them all, arm64/s390 the 7.x ones). */
export const KERNEL_VERSIONS = ['6.11', '6.12', '6.13', '6.14', '6.15', '6.16', '6.17', '6.18', '6.19', '7.0', '7.1', '7.2', '7.3', '7.4'] as const;
export type KernelVersion = (typeof KERNEL_VERSIONS)[number];
export const VM_TYPES: readonly VmType[] = ['default', 'sw_protected', 'sev', 'sev_es', 'sev_snp', 'tdx'];
export const POLICIES: readonly PrefaultPolicy[] = ['upstream', 'switch-root-mmu', 'reject-smm-guest-mode'];
/** KVM_X86_QUIRK_* names (without the prefix) that KVM_CAP_DISABLE_QUIRKS2 can disable here. */
export type QuirkName = 'SLOT_ZAP_ALL';
export const QUIRKS: readonly QuirkName[] = ['SLOT_ZAP_ALL'];

export interface HostConfig {
  vendor: Vendor;
  tdp: boolean;
  tdpMmu: boolean;
  maxTdpLevel: 4 | 5;
  pagingLevel: 4 | 5;
  maxPhysAddr: number;
  adBits: boolean;
  nxHugePages: boolean;
  maxHugePageLevel: '2M' | '1G';
  mmioCaching: boolean;
  eagerPageSplit: boolean;
}

export interface VmConfig {
  name: string;
  type: VmType;
  host: HostConfig;
  kernel: KernelVersion;
  prefaultPolicy: PrefaultPolicy;
  /** KVM_CAP_DISABLE_QUIRKS2 at VM creation. */
  quirksDisabled: QuirkName[];
  /** tdx VMs only: the TD's GPAW from KVM_TDX_INIT_VM, 48 or 52. */
  tdxGpaw?: TdxGpaw;
}

export const TDX_GPAWS = [48, 52] as const;
export type TdxGpaw = (typeof TDX_GPAWS)[number];

/** Partial input as a client sends it; `withVmDefaults` fills the contract's defaults. */
export interface VmConfigInput {
  name: string;
  type?: VmType;
  host?: Partial<HostConfig>;
  kernel?: KernelVersion;
  prefaultPolicy?: PrefaultPolicy;
  quirksDisabled?: QuirkName[];
  tdxGpaw?: TdxGpaw;
}

/** Engine-side resource limits (not part of the VM's identity; set by the server). */
export interface VmLimits {
  /** Page-table memory (4 KiB per table) a VM may allocate; past it a fault gets ENOMEM. */
  maxTableBytes: number;
  maxVcpus: number;
  maxMemslots: number;
}

/** How the engine computes, never what it answers (tests and benchmarks switch it). */
export interface EngineOptions {
  /**
   * Page runs (mmu/page-run.ts): after a 4K pre-fault fault, the faults that would follow it
   * alike are done as one run. On by default; off, every leaf takes its own fault step.
   */
  pageRuns: boolean;
}

export interface VcpuSpec {
  id: number;
  maxPhysAddr?: number;
  smm?: boolean;
  guestMode?: boolean;
  nestedTdp?: boolean;
}

export interface VcpuModePatch {
  maxPhysAddr?: number;
  smm?: boolean;
  guestMode?: boolean;
  nestedTdp?: boolean;
}

export type MemslotFlag = 'readonly' | 'guest_memfd' | 'log_dirty_pages';

export interface MemslotSpec {
  guestPhysAddr: Hex;
  size: Hex;
  userspaceAddr?: Hex;
  flags?: MemslotFlag[];
  guestMemfdOffset?: Hex;
  /** `hugetlb` (no effect on x86) and `hwpoison` are contract v2 inputs, echoed only when sent. */
  backing?: { pageSize?: LevelName; writable?: boolean; mapped?: boolean; hugetlb?: boolean; hwpoison?: Hex[] };
}

export interface PreFaultInject {
  signalPending?: boolean;
  signalAfterIterations?: number | null;
  /** This memslot is KVM_MEMSLOT_INVALID for the duration of the call (a delete waiting in synchronize_srcu). */
  memslotBeingDeleted?: { addressSpace: number; slot: number } | null;
  /** Attempts that find mmu_invalidate_retry true; x86's retry loop just runs again, so no answer changes. */
  invalidationRaces?: number;
}

export type Operation =
  | { op: 'create_vcpu'; vcpu: VcpuSpec }
  | { op: 'set_vcpu_mode'; vcpuId: number; patch: VcpuModePatch }
  | { op: 'set_memslot'; addressSpace: number; slot: number; region: MemslotSpec }
  | { op: 'delete_memslot'; addressSpace: number; slot: number }
  | { op: 'set_memory_attributes'; address: Hex; size: Hex; private: boolean }
  | { op: 'finalize' }
  | { op: 'mark_dead' }
  | {
      op: 'pre_fault';
      vcpuId: number;
      gpa: Hex;
      size: Hex;
      flags: Hex;
      padding?: Hex[];
      inject?: PreFaultInject;
    }
  | { op: 'access'; vcpuId: number; gpa: Hex; kind: AccessKind };

export type OperationKind = Operation['op'];
export type AccessKind = 'read' | 'write' | 'exec';

export type ErrnoName =
  'EINVAL' | 'ENOENT' | 'EOPNOTSUPP' | 'EINTR' | 'EIO' | 'EFAULT' | 'EAGAIN' | 'ENOMEM' | 'EEXIST' | 'ENOTTY' | 'ENOEXEC' | 'EHWPOISON';

export interface IoctlResult {
  ret: number;
  errno: ErrnoName | null;
  /** With a negative ret only: the kernel check that failed and its function. */
  reason?: string;
}

export interface RootRef {
  id: string;
  level: number;
  smm: boolean;
  guestMode: boolean;
  addressSpace: number;
  adDisabled: boolean;
  mirror: boolean;
}

export interface MappingRow {
  gpa: Hex;
  size: Hex;
  level: LevelName;
  count: number;
  kind: 'ram' | 'mmio';
  hostPfn: Hex | null;
  private: boolean;
  writable: boolean;
  executable: boolean;
  accessed: boolean;
  dirty: boolean;
}

export type IterationResultName = 'FIXED' | 'SPURIOUS' | 'EMULATE' | 'ERROR';

export interface IterationRow {
  gpa: Hex;
  result: IterationResultName;
  level: LevelName | null;
  consumed: Hex;
  count: number;
  errno: ErrnoName | null;
  /** On a row that ends in an error: the kernel check that failed and its function. */
  reason?: string;
}

export interface PreFaultResult extends IoctlResult {
  range: { gpa: Hex; size: Hex; flags: Hex };
  iterations: IterationRow[];
  root: RootRef | null;
  mapped: MappingRow[];
  /** Why the simulated call stopped where the real kernel would spin (see spec §11). */
  note?: string;
}

export interface AccessResult extends IoctlResult {
  /** What KVM_RUN would report to userspace: null when the guest simply continued. */
  exit: 'KVM_EXIT_MMIO' | 'KVM_EXIT_MEMORY_FAULT' | null;
  iterations: IterationRow[];
  root: RootRef | null;
  mapped: MappingRow[];
}

export interface MemslotView {
  addressSpace: number;
  slot: number;
  guestPhysAddr: Hex;
  size: Hex;
  userspaceAddr: Hex;
  flags: MemslotFlag[];
  guestMemfdOffset: Hex;
  backing: { pageSize: LevelName; writable: boolean; mapped: boolean; hugetlb?: boolean; hwpoison?: Hex[] };
}

export interface MemslotResult extends IoctlResult {
  memslot: MemslotView | null;
}

export interface MmuView {
  kind: 'tdp' | 'shadow' | 'nested-tdp-shadow';
  rootRole: Omit<RootRef, 'id'> | null;
}

export interface VcpuView {
  id: number;
  maxPhysAddr: number;
  smm: boolean;
  guestMode: boolean;
  nestedTdp: boolean;
  mmu: MmuView;
  /** The root this vCPU has loaded now (null until its next reload). */
  loadedRoot: string | null;
}

export interface RootView extends RootRef {
  vcpus: number[];
  counts: { '4K': number; '2M': number; '1G': number; tables: number; mmio: number };
}

export interface WalkStep {
  level: number;
  index: number;
  gpaBase: Hex;
  spte: Hex;
  present: boolean;
  leaf: boolean;
  mapping: MappingRow | null;
}

export interface WalkResult {
  root: RootRef;
  gpa: Hex;
  steps: WalkStep[];
  leafLevel: LevelName | null;
}

export interface MappingsPage {
  mappings: MappingRow[];
  nextCursor: string | null;
}

export type OperationResult = PreFaultResult | AccessResult | MemslotResult | IoctlResult | VcpuView;
