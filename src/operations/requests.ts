// The engine Operation each state-changing request stands for: u64 inputs become canonical
// lower-case hex, and absent optional fields stay absent so logged operations are
// byte-stable. Route handlers, lab set-ups, the labs' call translation and scenario import
// all build operations here, so a lab's call means exactly what the same HTTP call does.
// Bodies are typed from openapi.yaml (src/contract/openapi-types.ts).
import type { BodyOf } from '../contract/operation-types.js';
import { hex, parseU64, type Hex, type MemslotSpec, type Operation } from '../sim/index.js';

type OperationOf<K extends Operation['op']> = Extract<Operation, { op: K }>;

/** A contract u64 (integer or "0x.."/decimal string) as canonical hex; 400 naming `field` otherwise. */
export const u64 = (value: unknown, field: string): Hex => hex(parseU64(value, field));

const optionalU64 = (value: unknown, field: string): Hex | undefined => (value === undefined ? undefined : u64(value, field));

/** Drops keys whose value is undefined. */
function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

export const createVcpuOperation = (body: BodyOf<'createVcpu'>): OperationOf<'create_vcpu'> => ({ op: 'create_vcpu', vcpu: body });

export const setVcpuModeOperation = (vcpuId: number, body: BodyOf<'patchVcpu'>): OperationOf<'set_vcpu_mode'> => ({
  op: 'set_vcpu_mode',
  vcpuId,
  patch: body,
});

/** The hot path: optional keys are added only when given (what compact() does, without its copies). */
export function preFaultOperation(vcpuId: number, body: BodyOf<'preFault'>): OperationOf<'pre_fault'> {
  const op: OperationOf<'pre_fault'> = {
    op: 'pre_fault',
    vcpuId,
    gpa: u64(body.gpa, 'gpa'),
    size: u64(body.size, 'size'),
    flags: optionalU64(body.flags, 'flags') ?? '0x0',
  };
  if (body.padding !== undefined) op.padding = body.padding.map((word, i) => u64(word, `padding[${i}]`));
  if (body.inject !== undefined) op.inject = body.inject;
  return op;
}

export const accessOperation = (vcpuId: number, body: BodyOf<'guestAccess'>): OperationOf<'access'> => ({
  op: 'access',
  vcpuId,
  gpa: u64(body.gpa, 'gpa'),
  kind: body.kind,
});

export const setMemslotOperation = (addressSpace: number, slot: number, body: BodyOf<'putMemslot'>): OperationOf<'set_memslot'> => ({
  op: 'set_memslot',
  addressSpace,
  slot,
  region: compact({
    guestPhysAddr: u64(body.guestPhysAddr, 'guestPhysAddr'),
    size: u64(body.size, 'size'),
    userspaceAddr: optionalU64(body.userspaceAddr, 'userspaceAddr'),
    flags: body.flags,
    guestMemfdOffset: optionalU64(body.guestMemfdOffset, 'guestMemfdOffset'),
    backing: backingOf(body.backing),
  }),
});

/**
 * A memslot's `backing` with poisoned addresses as canonical hex. The type is x86's: the other
 * arches' page sizes pass through, and an x86 VM refuses them (labs/vm-arch.ts) before its
 * engine reads them.
 */
function backingOf(backing: BodyOf<'putMemslot'>['backing']): MemslotSpec['backing'] {
  if (backing === undefined) return undefined;
  const out = { ...backing, ...(backing.hwpoison && { hwpoison: backing.hwpoison.map((a, i) => u64(a, `backing.hwpoison[${i}]`)) }) };
  return out as MemslotSpec['backing'];
}

export const deleteMemslotOperation = (addressSpace: number, slot: number): OperationOf<'delete_memslot'> => ({
  op: 'delete_memslot',
  addressSpace,
  slot,
});

export const setMemoryAttributesOperation = (body: BodyOf<'setMemoryAttributes'>): OperationOf<'set_memory_attributes'> => ({
  op: 'set_memory_attributes',
  address: u64(body.address, 'address'),
  size: u64(body.size, 'size'),
  private: body.private,
});

export const finalizeOperation = (): OperationOf<'finalize'> => ({ op: 'finalize' });

export const markDeadOperation = (): OperationOf<'mark_dead'> => ({ op: 'mark_dead' });
