// Contract v2: every VM has an `arch` (x86, the default, arm64 or s390), and each arch has its
// own host, VM and vCPU fields. A field of another arch is a 400 naming it, in both
// directions, before any engine sees the input. The x86 configuration keeps its v1 shape
// (no `arch` key stored), so an x86 VM answers and stores exactly what it did before.

import { u64 } from '../operations/requests.js';
import {
  KERNEL_VERSIONS,
  SimError,
  vmArch,
  withVmDefaults,
  type AnyVmConfig,
  type Arm64VmConfigInput,
  type Operation,
  type S390VmConfigInput,
  type VmArch,
  type VmConfigInput,
} from '../sim/index.js';
import { withArm64Defaults } from '../sim/arm64/arm.js';
import { invalid } from '../sim/errors.js';
import { withS390Defaults } from '../sim/s390/kvm-s390.js';

export const VM_ARCHES: readonly VmArch[] = ['x86', 'arm64', 's390'];

/** What POST /v1/vms (or a stored configuration) may hold, before its arch is known. */
export type AnyVmInput = { name: string; arch?: unknown } & Record<string, unknown>;

/** The `host` keys of each arch (contract v2 "VM"). */
const HOST_KEYS: Record<VmArch, readonly string[]> = {
  x86: [
    'vendor',
    'tdp',
    'tdpMmu',
    'maxTdpLevel',
    'pagingLevel',
    'maxPhysAddr',
    'adBits',
    'nxHugePages',
    'maxHugePageLevel',
    'mmioCaching',
    'eagerPageSplit',
  ],
  arm64: ['granule', 'ipaLimit', 'pkvm', 'nestedVirt', 'fwb', 'cacheDic'],
  s390: ['hpage', 'hpage2g', 'maxStorage'],
};

/** The top-level keys each arch takes besides name, arch, kernel, type and host. */
const VM_KEYS: Record<VmArch, readonly string[]> = {
  x86: ['prefaultPolicy', 'quirksDisabled', 'tdxGpaw'],
  arm64: ['arm64', 'prefaultPolicy', 'quirksDisabled'],
  s390: ['s390', 'prefaultPolicy', 'quirksDisabled'],
};
const COMMON_KEYS = ['name', 'arch', 'kernel', 'type', 'host'];

/** A SimError, so an engine host reports it as the caller's mistake (400), not an engine bug. */
const foreign = (field: string, arch: VmArch) => invalid(field, `${field} is not a field of an ${arch} VM`);

function archOfInput(input: AnyVmInput): VmArch {
  const arch = input.arch ?? 'x86';
  if (!VM_ARCHES.includes(arch as VmArch))
    throw invalid('arch', `arch ${typeof arch === 'string' ? arch : JSON.stringify(arch)} is not one of ${VM_ARCHES.join(', ')}`);
  return arch as VmArch;
}

/** A 400 naming the first field of `input` that belongs to another arch. */
function refuseForeignVmFields(input: AnyVmInput, arch: VmArch): void {
  for (const key of Object.keys(input)) if (!COMMON_KEYS.includes(key) && !VM_KEYS[arch].includes(key)) throw foreign(key, arch);
  const host = input.host;
  if (host !== undefined && host !== null && typeof host === 'object')
    for (const key of Object.keys(host)) if (!HOST_KEYS[arch].includes(key)) throw foreign(`host.${key}`, arch);
  if (arch === 'x86') return;
  // arm64/s390 have one pre-fault design and no x86 quirks: only the x86 defaults are accepted.
  if (input.prefaultPolicy !== undefined && input.prefaultPolicy !== 'upstream')
    throw invalid('prefaultPolicy', `an ${arch} VM has the upstream pre-fault only (prefaultPolicy upstream)`);
  if (input.quirksDisabled !== undefined && !(Array.isArray(input.quirksDisabled) && input.quirksDisabled.length === 0))
    throw invalid('quirksDisabled', `an ${arch} VM has no KVM_X86_QUIRK_* to disable`);
}

/** The kernel list of an arch: x86 every version, arm64/s390 the 7.x ones (a 400 naming kernel otherwise). */
function checkKernel(input: AnyVmInput, arch: VmArch): void {
  const k = input.kernel;
  if (k !== undefined && !(KERNEL_VERSIONS as readonly unknown[]).includes(k))
    throw invalid('kernel', `kernel must be one of ${KERNEL_VERSIONS.join(', ')}${arch === 'x86' ? '' : ` (${arch}: 7.0 to 7.4)`}`);
}

/** The stored configuration of a new (or reloaded) VM: the arch's defaults filled, the kernel's impossibilities refused. */
export function withAnyVmDefaults(input: AnyVmInput): AnyVmConfig {
  const arch = archOfInput(input);
  refuseForeignVmFields(input, arch);
  checkKernel(input, arch);
  if (arch === 'x86') {
    const { arch: _x86, ...x86 } = input;
    return withVmDefaults(x86 as unknown as VmConfigInput);
  }
  const { prefaultPolicy: _p, quirksDisabled: _q, arch: _a, ...rest } = input;
  if (arch === 'arm64') return { arch, ...withArm64Defaults(rest as unknown as Arm64VmConfigInput) };
  const s390 = rest as unknown as S390VmConfigInput;
  // memLimit and maxStorage are u64s: stored in the canonical hex every answer uses.
  const host = s390.host?.maxStorage === undefined ? s390.host : { ...s390.host, maxStorage: u64(s390.host.maxStorage, 'host.maxStorage') };
  const vm = s390.s390?.memLimit === undefined ? s390.s390 : { ...s390.s390, memLimit: u64(s390.s390.memLimit, 's390.memLimit') };
  return { arch, ...withS390Defaults({ ...s390, ...(host && { host }), ...(vm && { s390: vm }) }) };
}

// The fields each arch's operations take (contract v2 "vCPUs", "Memslots", "Pre-fault"). Every
// arch takes the same backing and inject fields (x86 takes hugetlb with no effect, hwpoison and
// invalidationRaces, each echoed only when sent); only the vCPU's differ.
const VCPU_FIELDS: Record<VmArch, readonly string[]> = {
  x86: ['maxPhysAddr', 'smm', 'guestMode', 'nestedTdp'],
  arm64: ['initialized', 'el2', 'lastRanNested'],
  s390: [],
};
const BACKING_FIELDS = ['pageSize', 'writable', 'mapped', 'hugetlb', 'hwpoison'];
const X86_PAGE_SIZES = ['4K', '2M', '1G'];
const INJECT_FIELDS = ['signalPending', 'signalAfterIterations', 'memslotBeingDeleted', 'invalidationRaces'];

function onlyKeys(object: object | undefined, allowed: readonly string[], prefix: string, arch: VmArch): void {
  if (object === undefined || object === null) return;
  for (const key of Object.keys(object)) if (!allowed.includes(key)) throw foreign(`${prefix}${key}`, arch);
}

/**
 * A 400 naming the first field of `op` that another arch's VM takes, before the engine sees
 * it. The x86 engine predates contract v2 and would ignore such a field.
 */
export function refuseForeignOpFields(op: Operation, config: AnyVmConfig): void {
  const arch = vmArch(config);
  switch (op.op) {
    case 'create_vcpu':
      onlyKeys(op.vcpu, ['id', ...VCPU_FIELDS[arch]], '', arch);
      return;
    case 'set_vcpu_mode':
      onlyKeys(op.patch, arch === 'arm64' ? ['initialized', 'lastRanNested'] : VCPU_FIELDS[arch], '', arch);
      return;
    case 'set_memslot': {
      const backing = op.region.backing;
      onlyKeys(backing, BACKING_FIELDS, 'backing.', arch);
      const size: unknown = backing?.pageSize;
      if (arch === 'x86' && size !== undefined && !X86_PAGE_SIZES.includes(size as string))
        throw new SimError('invalid', `backing.pageSize ${String(size)} is not a host page size of an x86 host (4K, 2M, 1G)`, 'backing.pageSize');
      return;
    }
    case 'pre_fault':
      onlyKeys(op.inject, INJECT_FIELDS, 'inject.', arch);
      return;
    default:
      return;
  }
}
