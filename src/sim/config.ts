// VM configuration defaults and validation (the contract's `POST /v1/vms` body).

import { invalid } from './errors.js';
import {
  KERNEL_VERSIONS,
  POLICIES,
  VM_TYPES,
  type HostConfig,
  type KernelVersion,
  type VmConfig,
  type VmConfigInput,
  type VmLimits,
} from './types.js';

export const DEFAULT_HOST: HostConfig = {
  vendor: 'intel',
  tdp: true,
  tdpMmu: true,
  maxTdpLevel: 4,
  pagingLevel: 4,
  maxPhysAddr: 46,
  adBits: true,
  nxHugePages: false,
  maxHugePageLevel: '1G',
  mmioCaching: true,
  eagerPageSplit: true,
};

export const DEFAULT_LIMITS: VmLimits = {
  maxTableBytes: 1 << 30,
  maxVcpus: 64,
  maxMemslots: 64,
};

/** Numeric order of a kernel version string, for "6.16+" style switches. */
export const kernelAtLeast = (kernel: KernelVersion, min: KernelVersion): boolean =>
  KERNEL_VERSIONS.indexOf(kernel) >= KERNEL_VERSIONS.indexOf(min);

/** Fill the contract's defaults and refuse combinations the kernel cannot produce. */
export function withVmDefaults(input: VmConfigInput): VmConfig {
  const host: HostConfig = { ...DEFAULT_HOST, ...(input.host ?? {}) };
  const config: VmConfig = {
    name: input.name,
    type: input.type ?? 'default',
    host,
    kernel: input.kernel ?? '6.18',
    prefaultPolicy: input.prefaultPolicy ?? 'upstream',
  };
  if (typeof config.name !== 'string' || config.name.length === 0) throw invalid('name', 'name must be a non-empty string');
  if (!VM_TYPES.includes(config.type)) throw invalid('type', `type must be one of ${VM_TYPES.join(', ')}`);
  if (!KERNEL_VERSIONS.includes(config.kernel)) throw invalid('kernel', `kernel must be one of ${KERNEL_VERSIONS.join(', ')}`);
  if (!POLICIES.includes(config.prefaultPolicy))
    throw invalid('prefaultPolicy', `prefaultPolicy must be one of ${POLICIES.join(', ')}`);
  if (host.maxTdpLevel !== 4 && host.maxTdpLevel !== 5) throw invalid('host.maxTdpLevel', 'host.maxTdpLevel must be 4 or 5');
  if (host.pagingLevel !== 4 && host.pagingLevel !== 5) throw invalid('host.pagingLevel', 'host.pagingLevel must be 4 or 5');
  if (!Number.isInteger(host.maxPhysAddr) || host.maxPhysAddr < 36 || host.maxPhysAddr > 52)
    throw invalid('host.maxPhysAddr', 'host.maxPhysAddr must be an integer from 36 to 52');
  // x86 paging: 4-level tables reach 48 address bits; a wider host needs 5-level EPT/NPT.
  const hostLevels = host.vendor === 'intel' ? host.maxTdpLevel : host.pagingLevel;
  if (hostLevels === 4 && host.maxPhysAddr > 48)
    throw invalid('host.maxPhysAddr', 'host.maxPhysAddr above 48 needs a 5-level host (maxTdpLevel/pagingLevel 5)');
  // svm.c: NPT always has A/D bits.
  if (host.vendor === 'amd' && !host.adBits) throw invalid('host.adBits', 'AMD NPT always has accessed/dirty bits');
  const needsTdpMmu = config.type === 'sw_protected' || config.type === 'sev_snp' || config.type === 'tdx';
  if (needsTdpMmu && (!host.tdp || !host.tdpMmu))
    throw invalid('host.tdpMmu', `a ${config.type} VM needs TDP and the TDP MMU (kvm_arch_init_vm refuses it otherwise)`);
  if ((config.type === 'sev' || config.type === 'sev_es' || config.type === 'sev_snp') && host.vendor !== 'amd')
    throw invalid('type', `${config.type} VMs exist only on AMD hosts`);
  if (config.type === 'tdx') {
    if (host.vendor !== 'intel') throw invalid('type', 'tdx VMs exist only on Intel hosts');
    if (!kernelAtLeast(config.kernel, '6.16')) throw invalid('kernel', 'the TDX VM type exists from kernel 6.16');
  }
  return config;
}
