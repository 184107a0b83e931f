// The arm64 engine's inputs and views, with the contract v2 field names
// (api-contract.md "Additions (v2)": arm64 host, VM, vCPU, roots, mappings, walk).

import type { ArchKernel, ArchMappingRow, ArchPreFaultResult } from '../arch-types.js';
import type { Hex } from '../types.js';
import type { Granule } from './pgtable.js';

export interface Arm64HostConfig {
  /** Host PAGE_SIZE, also the stage-2 granule. */
  granule: Granule;
  /** get_kvm_ipa_limit(). */
  ipaLimit: number;
  /** kvm-arm.mode=protected. */
  pkvm: boolean;
  /** kvm-arm.mode=nested: vCPUs may be created with EL2. */
  nestedVirt: boolean;
  /** ARM64_HAS_STAGE2_FWB: how Normal memory is encoded in MemAttr. */
  fwb: boolean;
  /** ARM64_HAS_CACHE_DIC: stage-2 leaves are executable. */
  cacheDic: boolean;
}

export interface Arm64VmConfig {
  name: string;
  kernel: ArchKernel;
  type: 'default';
  host: Arm64HostConfig;
  arm64: { ipaBits: number };
}

export interface Arm64VmConfigInput {
  name: string;
  kernel?: ArchKernel;
  type?: 'default';
  host?: Partial<Arm64HostConfig>;
  arm64?: { ipaBits?: number };
}

export interface Arm64VcpuSpec {
  id: number;
  /** KVM_ARM_VCPU_INIT has succeeded. */
  initialized?: boolean;
  /** KVM_ARM_VCPU_HAS_EL2 (needs host.nestedVirt). */
  el2?: boolean;
  /** The vCPU last ran an L2: its hw_mmu is a nested stage-2. */
  lastRanNested?: boolean;
}

export type Arm64VcpuPatch = Pick<Arm64VcpuSpec, 'initialized' | 'lastRanNested'>;

export interface Arm64RootRef {
  id: string;
  /** Number of table levels (2–4). */
  level: number;
  smm: false;
  guestMode: boolean;
  addressSpace: 0;
  adDisabled: false;
  mirror: false;
  kind: 's2-canonical' | 's2-nested';
  startLevel: number;
  granule: Granule;
  ipaBits: number;
  concatenatedTables: number;
}

export interface Arm64RootView extends Arm64RootRef {
  vcpus: number[];
  /** One key per leaf size of the granule, plus tables. */
  counts: Record<string, number>;
}

export interface Arm64VcpuView {
  id: number;
  initialized: boolean;
  el2: boolean;
  lastRanNested: boolean;
  mmu: { kind: 's2-canonical' | 's2-nested'; rootRole: null };
  loadedRoot: string;
}

export interface Arm64ArchBits {
  memAttr: number;
  s2apR: boolean;
  s2apW: boolean;
  sh: number;
  af: boolean;
  xn: boolean;
}

export type Arm64MappingRow = ArchMappingRow<Arm64ArchBits>;
export type Arm64PreFaultResult = ArchPreFaultResult<Arm64RootRef, Arm64ArchBits>;

export interface Arm64WalkStep {
  /** "1 = smallest page" numbering: 4 - lookupLevel. */
  level: number;
  lookupLevel: number;
  index: number;
  gpaBase: Hex;
  spte: Hex;
  present: boolean;
  leaf: boolean;
  /** The leaf as a one-leaf mapping row (null for tables and empty entries). */
  mapping: Arm64MappingRow | null;
}

export interface Arm64WalkResult {
  root: Arm64RootRef;
  gpa: Hex;
  steps: Arm64WalkStep[];
  leafLevel: string | null;
}
