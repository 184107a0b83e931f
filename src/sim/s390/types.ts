// The s390 engine's inputs and views, with the contract v2 field names
// (api-contract.md "Additions (v2)": s390 host, VM, vCPU, roots, mappings, walk).

import type { ArchKernel, ArchMappingRow, ArchPreFaultResult } from '../arch-types.js';
import type { Hex } from '../types.js';
import type { TableName } from './dat.js';

export interface S390HostConfig {
  /** kvm.hpage: 1M guest huge pages may be enabled. */
  hpage: boolean;
  /** kvm.hpage_2g (7.2+): 2G guest huge pages; needs hpage. */
  hpage2g: boolean;
  /** SCLP hamax + 1: the default and largest memLimit. */
  maxStorage: Hex;
}

export type S390VmType = 'default' | 'ucontrol';

export interface S390VmConfig {
  name: string;
  kernel: ArchKernel;
  type: S390VmType;
  host: S390HostConfig;
  /** KVM_CAP_S390_HPAGE_1M / _2G enabled, KVM_S390_VM_MEM_LIMIT_SIZE. */
  s390: { hpage1m: boolean; hpage2g: boolean; memLimit: Hex };
}

export interface S390VmConfigInput {
  name: string;
  kernel?: ArchKernel;
  type?: S390VmType;
  host?: Partial<S390HostConfig>;
  s390?: Partial<S390VmConfig['s390']>;
}

export type AsceType = 'segment' | 'region3' | 'region2' | 'region1';

export interface S390RootRef {
  id: string;
  level: number;
  smm: false;
  guestMode: false;
  addressSpace: 0;
  adDisabled: false;
  mirror: false;
  kind: 'gmap';
  asceType: AsceType;
}

export interface S390RootView extends S390RootRef {
  vcpus: number[];
  counts: { '4K': number; '1M': number; '2G': number; tables: number };
}

export interface S390VcpuView {
  id: number;
  mmu: { kind: 'gmap'; rootRole: null };
  loadedRoot: string | null;
}

export interface S390ArchBits {
  i: boolean;
  p: boolean;
  iep: boolean;
  pr: boolean;
  y: boolean;
  w: boolean;
  d: boolean;
  sd: boolean;
  s: boolean;
}

export type S390MappingRow = ArchMappingRow<S390ArchBits>;
export type S390PreFaultResult = ArchPreFaultResult<S390RootRef, S390ArchBits>;

export interface S390WalkStep {
  level: number;
  table: TableName;
  index: number;
  gpaBase: Hex;
  spte: Hex;
  present: boolean;
  leaf: boolean;
  /** The leaf as a one-leaf mapping row (null for tables and empty entries). */
  mapping: S390MappingRow | null;
}

export interface S390WalkResult {
  root: S390RootRef;
  gpa: Hex;
  steps: S390WalkStep[];
  leafLevel: string | null;
}
