// VM configuration defaults and validation (the contract's `POST /v1/vms` body).

import { invalid } from './errors.js';
import {
  KERNEL_VERSIONS,
  POLICIES,
  QUIRKS,
  TDX_GPAWS,
  VM_TYPES,
  type HostConfig,
  type KernelVersion,
  type QuirkName,
  type EngineOptions,
  type TdxGpaw,
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

export const DEFAULT_ENGINE: EngineOptions = { pageRuns: true };

/** Numeric order of a kernel version string, for "6.16+" style switches. */
export const kernelAtLeast = (kernel: KernelVersion, min: KernelVersion): boolean => KERNEL_VERSIONS.indexOf(kernel) >= KERNEL_VERSIONS.indexOf(min);

/** Fill the contract's defaults and refuse combinations the kernel cannot produce. */
export function withVmDefaults(input: VmConfigInput): VmConfig {
  const host: HostConfig = { ...DEFAULT_HOST, ...(input.host ?? {}) };
  const config: VmConfig = {
    name: input.name,
    type: input.type ?? 'default',
    host,
    kernel: input.kernel ?? '6.18',
    prefaultPolicy: input.prefaultPolicy ?? 'upstream',
    quirksDisabled: quirkList(input.quirksDisabled),
  };
  if (typeof config.name !== 'string' || config.name.length === 0) throw invalid('name', 'name must be a non-empty string');
  // The HTTP contract refuses these for a created VM; an imported scenario's name reaches here unchecked (PostgreSQL text cannot hold NUL).
  if ([...config.name].some((c) => c < ' ' || c === '\x7f')) throw invalid('name', 'name must not contain control characters');
  if (!VM_TYPES.includes(config.type)) throw invalid('type', `type must be one of ${VM_TYPES.join(', ')}`);
  if (!KERNEL_VERSIONS.includes(config.kernel)) throw invalid('kernel', `kernel must be one of ${KERNEL_VERSIONS.join(', ')}`);
  if (!POLICIES.includes(config.prefaultPolicy)) throw invalid('prefaultPolicy', `prefaultPolicy must be one of ${POLICIES.join(', ')}`);
  if (host.maxTdpLevel !== 4 && host.maxTdpLevel !== 5) throw invalid('host.maxTdpLevel', 'host.maxTdpLevel must be 4 or 5');
  if (host.pagingLevel !== 4 && host.pagingLevel !== 5) throw invalid('host.pagingLevel', 'host.pagingLevel must be 4 or 5');
  if (!Number.isInteger(host.maxPhysAddr) || host.maxPhysAddr < 36 || host.maxPhysAddr > 52)
    throw invalid('host.maxPhysAddr', 'host.maxPhysAddr must be an integer from 36 to 52');
  // A host wider than 48 bits with only 4-level EPT/NPT is real (no 5-level EPT, or AMD
  // without LA57): KVM runs it and caps the guest's addressable width (supportedGuestPhysBits).
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
  checkQuirks(config);
  const gpaw = tdxGpawOf(config, input.tdxGpaw);
  return gpaw === undefined ? config : { ...config, tdxGpaw: gpaw };
}

/**
 * vmx/tdx.c:setup_tdparams_eptp_controls: KVM_TDX_INIT_VM takes GPAW 48 ("always
 * supported") or 52, and 52 only with 5-level EPT; anything else is EINVAL. Only a TD has one.
 */
function tdxGpawOf(config: VmConfig, requested: unknown): TdxGpaw | undefined {
  if (config.type !== 'tdx') {
    if (requested !== undefined) throw invalid('tdxGpaw', 'tdxGpaw is the GPAW of a TD: only a tdx VM takes it');
    return undefined;
  }
  if (requested === undefined) return 48;
  if (!TDX_GPAWS.includes(requested as TdxGpaw)) throw invalid('tdxGpaw', 'tdxGpaw must be 48 or 52 (setup_tdparams_eptp_controls)');
  if (requested === 52 && config.host.maxTdpLevel !== 5)
    throw invalid('tdxGpaw', 'tdxGpaw 52 needs a host with 5-level EPT, host.maxTdpLevel 5 (setup_tdparams_eptp_controls)');
  return requested as TdxGpaw;
}

/** A copy of the caller's quirk list; anything but a list is refused before it is read. */
function quirkList(input: unknown): QuirkName[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw invalid('quirksDisabled', 'quirksDisabled must be a list of quirk names');
  return [...(input as QuirkName[])];
}

/**
 * KVM_CAP_DISABLE_QUIRKS2: a name the chosen kernel does not have is refused.
 * KVM_X86_QUIRK_SLOT_ZAP_ALL appeared in 6.12 (kvm_memslot_flush_zap_all; spec §12).
 */
function checkQuirks(config: VmConfig): void {
  const q = config.quirksDisabled;
  for (const name of q as unknown[]) {
    if (!QUIRKS.includes(name as QuirkName))
      throw invalid('quirksDisabled', `quirksDisabled: unknown quirk ${String(name)} (known: ${QUIRKS.join(', ')})`);
    if (name === 'SLOT_ZAP_ALL' && !kernelAtLeast(config.kernel, '6.12'))
      throw invalid('quirksDisabled', `quirksDisabled: kernel ${config.kernel} has no KVM_X86_QUIRK_SLOT_ZAP_ALL (added in 6.12)`);
  }
  if (new Set(q).size !== q.length) throw invalid('quirksDisabled', 'quirksDisabled must not repeat a quirk');
}

/** The largest root level KVM can use on this host (kvm_mmu_get_max_tdp_level): AMD's forced level, else Intel's maximum. */
export const maxTdpLevel = (host: HostConfig): number => (host.vendor === 'amd' ? host.pagingLevel : host.maxTdpLevel);

/**
 * KVM_GET_SUPPORTED_CPUID 0x80000008 EAX[23:16] (GuestPhysBits, cpuid.c __do_cpuid_func): the
 * largest GPA width KVM can map. With TDP it is the host MAXPHYADDR, capped at 48 when the
 * host has no 5-level EPT/NPT (4-level tables only translate bits 47:12); 0 without TDP.
 */
export function supportedGuestPhysBits(host: HostConfig): number {
  if (!host.tdp) return 0;
  return maxTdpLevel(host) < 5 ? Math.min(host.maxPhysAddr, 48) : host.maxPhysAddr;
}

/**
 * The TD's one shared bit as a gfn bit, 0 for other VM types: vmx/tdx.c:tdx_td_init fixes
 * kvm->arch.gfn_direct_bits to bit 51 (GPAW 52) or bit 47 (GPAW 48) from the GPAW userspace
 * chose in KVM_TDX_INIT_VM, before any vCPU exists.
 */
export function tdxSharedBitGfn(config: VmConfig): number {
  if (config.type !== 'tdx') return 0;
  return 2 ** ((config.tdxGpaw ?? 48) - 1 - 12);
}

/** kvm_is_gfn_alias: the gfn carries the VM's shared (direct) bit. */
export const isAliasGfn = (gfn: number, sharedBitGfn: number): boolean => sharedBitGfn !== 0 && Math.floor(gfn / sharedBitGfn) % 2 === 1;
