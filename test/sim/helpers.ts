// Small builders for engine tests: a VM with slots and vCPUs, and typed call shortcuts.
import {
  SimError,
  createVm,
  withVmDefaults,
  type AccessKind,
  type AccessResult,
  type MappingRow,
  type MemslotResult,
  type MemslotSpec,
  type PreFaultInject,
  type PreFaultResult,
  type VcpuSpec,
  type VmConfigInput,
  type Vm,
  type VmLimits,
} from '../../src/sim/index.js';

/** [code, field, message] of the SimError `run` throws; 'ok' when it throws none. */
export function refusal(run: () => unknown): [string, string | undefined, string] | 'ok' {
  try {
    run();
    return 'ok';
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    return [e.code, e.field, e.message];
  }
}

export const GiB = 0x40000000;
export const MiB2 = 0x200000;
export const hx = (n: number | bigint): string => `0x${n.toString(16)}`;

export interface SlotSpec extends Omit<Partial<MemslotSpec>, 'size' | 'guestPhysAddr'> {
  as?: number;
  slot?: number;
  gpa: number | bigint;
  size: number | bigint;
}

export function makeVm(
  config: Partial<VmConfigInput> = {},
  slots: SlotSpec[] = [],
  vcpus: VcpuSpec[] = [{ id: 0 }],
  limits: Partial<VmLimits> = {},
): Vm {
  const vm = createVm(withVmDefaults({ name: 'test', ...config }), limits);
  slots.forEach((s, i) => {
    const r = setSlot(vm, s, s.slot ?? i);
    if (r.ret !== 0) throw new Error(`slot ${i} refused: ${r.errno}`);
  });
  for (const v of vcpus) vm.apply({ op: 'create_vcpu', vcpu: v });
  return vm;
}

/** A KVM_SET_USER_MEMORY_REGION2 body (x86's MemslotSpec or the arm64/s390 ArchMemslotSpec, by its flag type). */
export const regionSpec = <F extends string, E extends object = object>(gpa: number, size: number, flags: F[] = [], extra?: E) => ({
  guestPhysAddr: hx(gpa),
  size: hx(size),
  flags,
  ...extra,
});

/** The errno and reason of an ioctl-style answer. */
export const said = (r: { errno: string | null; reason?: string | null }): [string | null, string | null] => [r.errno, r.reason ?? null];

export function setSlot(vm: Vm, s: SlotSpec, slot = s.slot ?? 0): MemslotResult {
  const { as, gpa, size, slot: _slot, ...rest } = s;
  return vm.apply({
    op: 'set_memslot',
    addressSpace: as ?? 0,
    slot,
    region: { guestPhysAddr: hx(gpa), size: hx(size), ...rest },
  }) as MemslotResult;
}

export function prefault(
  vm: Vm,
  gpa: number | bigint,
  size: number | bigint,
  extra: { vcpu?: number; flags?: number; inject?: PreFaultInject } = {},
): PreFaultResult {
  return vm.apply({
    op: 'pre_fault',
    vcpuId: extra.vcpu ?? 0,
    gpa: hx(gpa),
    size: hx(size),
    flags: hx(extra.flags ?? 0),
    inject: extra.inject ?? {},
  }) as PreFaultResult;
}

export const access = (vm: Vm, gpa: number | bigint, kind: AccessKind = 'read', vcpu = 0): AccessResult =>
  vm.apply({ op: 'access', vcpuId: vcpu, gpa: hx(gpa), kind }) as AccessResult;

export const patchVcpu = (vm: Vm, id: number, patch: Record<string, unknown>): void => {
  vm.apply({ op: 'set_vcpu_mode', vcpuId: id, patch });
};

/** All mapping rows of the only (or the given) root. */
export function rows(vm: Vm, rootId?: string): MappingRow[] {
  const id = rootId ?? vm.roots()[0]!.id;
  const out: MappingRow[] = [];
  let cursor: string | undefined;
  do {
    const page = vm.mappings(id, cursor ? { cursor } : {});
    out.push(...page.mappings);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** Iteration rows as compact "gpa result level consumed xcount errno" strings. */
export const trace = (r: PreFaultResult): string[] =>
  r.iterations.map((i) => [i.gpa, i.result, i.level ?? '-', i.consumed, `x${i.count}`, i.errno ?? ''].join(' ').trim());
