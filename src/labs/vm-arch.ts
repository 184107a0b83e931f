// Contract v2: every VM has an `arch` (x86, the default, arm64 or s390), and each arch has its
// own host, VM and vCPU fields. A field of another arch is a 400 naming it, in both
// directions, before any engine sees the input. The x86 configuration keeps its v1 shape
// (no `arch` key stored), so an x86 VM answers and stores exactly what it did before.

import {
  KERNEL_VERSIONS,
  SimError,
  hex,
  parseU64,
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
import { withS390Defaults } from '../sim/s390/kvm-s390.js';

/** A caller's mistake (400 invalid-input naming the field), as the engine reports one. */
const invalidInput = (message: string, field: string): SimError => new SimError('invalid', message, field);

const u64 = (value: unknown, field: string): string => hex(parseU64(value, field));

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

const foreign = (field: string, arch: VmArch) => invalidInput(`${field} is not a field of an ${arch} VM`, field);
/** The same refusal from inside an engine host: a SimError is the caller's mistake there, anything else an engine bug. */
const foreignInOp = (field: string, arch: VmArch) => new SimError('invalid', `${field} is not a field of an ${arch} VM`, field);

function archOfInput(input: AnyVmInput): VmArch {
  const arch = input.arch ?? 'x86';
  if (!VM_ARCHES.includes(arch as VmArch))
    throw invalidInput(`arch ${typeof arch === 'string' ? arch : JSON.stringify(arch)} is not one of ${VM_ARCHES.join(', ')}`, 'arch');
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
    throw invalidInput(`an ${arch} VM has the upstream pre-fault only (prefaultPolicy upstream)`, 'prefaultPolicy');
  if (input.quirksDisabled !== undefined && !(Array.isArray(input.quirksDisabled) && input.quirksDisabled.length === 0))
    throw invalidInput(`an ${arch} VM has no KVM_X86_QUIRK_* to disable`, 'quirksDisabled');
}

/** The kernel list of an arch: x86 every version, arm64/s390 the 7.x ones (a 400 naming kernel otherwise). */
function checkKernel(input: AnyVmInput, arch: VmArch): void {
  const k = input.kernel;
  if (k !== undefined && !(KERNEL_VERSIONS as readonly unknown[]).includes(k))
    throw invalidInput(`kernel must be one of ${KERNEL_VERSIONS.join(', ')}${arch === 'x86' ? '' : ` (${arch}: 7.0 to 7.4)`}`, 'kernel');
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

/** The fields each arch's operations take beyond those every arch has (contract v2 "vCPUs", "Memslots", "Pre-fault"). */
const OP_FIELDS: Record<VmArch, { vcpu: readonly string[]; backing: readonly string[]; inject: readonly string[] }> = {
  // x86 takes hugetlb with no effect, hwpoison and invalidationRaces (contract v2); each is echoed only when sent.
  x86: {
    vcpu: ['maxPhysAddr', 'smm', 'guestMode', 'nestedTdp'],
    backing: ['pageSize', 'writable', 'mapped', 'hugetlb', 'hwpoison'],
    inject: ['invalidationRaces'],
  },
  arm64: {
    vcpu: ['initialized', 'el2', 'lastRanNested'],
    backing: ['pageSize', 'writable', 'mapped', 'hugetlb', 'hwpoison'],
    inject: ['invalidationRaces'],
  },
  s390: { vcpu: [], backing: ['pageSize', 'writable', 'mapped', 'hugetlb', 'hwpoison'], inject: ['invalidationRaces'] },
};
const X86_PAGE_SIZES = ['4K', '2M', '1G'];
const COMMON_INJECT = ['signalPending', 'signalAfterIterations', 'memslotBeingDeleted'];

function onlyKeys(object: object | undefined, allowed: readonly string[], prefix: string, arch: VmArch): void {
  if (object === undefined || object === null) return;
  for (const key of Object.keys(object)) if (!allowed.includes(key)) throw foreignInOp(`${prefix}${key}`, arch);
}

/**
 * A 400 naming the first field of `op` that another arch's VM takes, before the engine sees
 * it. The x86 engine predates contract v2 and would ignore such a field.
 */
export function refuseForeignOpFields(op: Operation, config: AnyVmConfig): void {
  const arch = vmArch(config);
  const fields = OP_FIELDS[arch];
  switch (op.op) {
    case 'create_vcpu':
      onlyKeys(op.vcpu, ['id', ...fields.vcpu], '', arch);
      return;
    case 'set_vcpu_mode':
      onlyKeys(op.patch, arch === 'arm64' ? ['initialized', 'lastRanNested'] : fields.vcpu, '', arch);
      return;
    case 'set_memslot': {
      const backing = op.region.backing;
      onlyKeys(backing, fields.backing, 'backing.', arch);
      const size: unknown = backing?.pageSize;
      if (arch === 'x86' && size !== undefined && !X86_PAGE_SIZES.includes(size as string))
        throw new SimError('invalid', `backing.pageSize ${String(size)} is not a host page size of an x86 host (4K, 2M, 1G)`, 'backing.pageSize');
      return;
    }
    case 'pre_fault':
      onlyKeys(op.inject, [...COMMON_INJECT, ...fields.inject], 'inject.', arch);
      return;
    default:
      return;
  }
}
