// Student-facing HTTP calls <-> engine operations. Tests and quizzes replay a lab's
// calls on the engine through this, so the calls a lab shows are the calls that work.
// The translation mirrors src/routes (canonical hex, absent optional fields dropped).
import { hex, parseU64, type Operation } from '../sim/index.js';
import type { ApiCall } from './types.js';

const VM_PLACEHOLDER = /\{vm:([A-Za-z0-9_-]+)\}/g;

/** The session VM names a path refers to through `{vm:<name>}`. */
export function vmNamesIn(path: string): string[] {
  return [...path.matchAll(VM_PLACEHOLDER)].map((m) => m[1]!);
}

/** Replace `{vm:<name>}` by the VM ids of a session; unknown names stay as they are. */
export function resolvePath(path: string, ids: Record<string, string>): string {
  return path.replace(VM_PLACEHOLDER, (whole, name: string) => ids[name] ?? whole);
}

const u64 = (value: unknown, field: string): string => hex(parseU64(value, field));
const optionalU64 = (value: unknown, field: string): string | undefined => (value === undefined ? undefined : u64(value, field));

function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

const ROUTES: {
  method: ApiCall['method'];
  pattern: RegExp;
  op: (m: string[], body: Record<string, any>) => Operation;
}[] = [
  { method: 'POST', pattern: /^\/v1\/vms\/([^/]+)\/vcpus$/, op: (_m, b) => ({ op: 'create_vcpu', vcpu: b as any }) },
  { method: 'PATCH', pattern: /^\/v1\/vms\/([^/]+)\/vcpus\/(\d+)$/, op: (m, b) => ({ op: 'set_vcpu_mode', vcpuId: Number(m[2]), patch: b }) },
  {
    method: 'POST',
    pattern: /^\/v1\/vms\/([^/]+)\/vcpus\/(\d+)\/pre-fault$/,
    op: (m, b) =>
      compact({
        op: 'pre_fault' as const,
        vcpuId: Number(m[2]),
        gpa: u64(b.gpa, 'gpa'),
        size: u64(b.size, 'size'),
        flags: optionalU64(b.flags, 'flags') ?? '0x0',
        padding: (b.padding as unknown[] | undefined)?.map((w, i) => u64(w, `padding[${i}]`)),
        inject: b.inject,
      }),
  },
  {
    method: 'POST',
    pattern: /^\/v1\/vms\/([^/]+)\/vcpus\/(\d+)\/access$/,
    op: (m, b) => ({ op: 'access', vcpuId: Number(m[2]), gpa: u64(b.gpa, 'gpa'), kind: b.kind }),
  },
  {
    method: 'PUT',
    pattern: /^\/v1\/vms\/([^/]+)\/memslots\/(\d+)\/(\d+)$/,
    op: (m, b) => ({
      op: 'set_memslot',
      addressSpace: Number(m[2]),
      slot: Number(m[3]),
      region: compact({
        guestPhysAddr: u64(b.guestPhysAddr, 'guestPhysAddr'),
        size: u64(b.size, 'size'),
        userspaceAddr: optionalU64(b.userspaceAddr, 'userspaceAddr'),
        flags: b.flags,
        guestMemfdOffset: optionalU64(b.guestMemfdOffset, 'guestMemfdOffset'),
        backing: b.backing,
      }),
    }),
  },
  {
    method: 'DELETE',
    pattern: /^\/v1\/vms\/([^/]+)\/memslots\/(\d+)\/(\d+)$/,
    op: (m) => ({ op: 'delete_memslot', addressSpace: Number(m[2]), slot: Number(m[3]) }),
  },
  {
    method: 'PUT',
    pattern: /^\/v1\/vms\/([^/]+)\/memory-attributes$/,
    op: (_m, b) => ({ op: 'set_memory_attributes', address: u64(b.address, 'address'), size: u64(b.size, 'size'), private: b.private }),
  },
  { method: 'POST', pattern: /^\/v1\/vms\/([^/]+)\/finalize$/, op: () => ({ op: 'finalize' }) },
];

export interface TranslatedCall {
  /** The VM part of the path (a `{vm:name}` placeholder or an id). */
  vm: string;
  /** The state-changing operation, or null for a read (GET). */
  op: Operation | null;
}

/** The engine operation a call stands for; throws for a path that changes nothing known. */
export function callToOperation(call: ApiCall): TranslatedCall {
  const vmPart = /^\/v1\/vms\/([^/]+)/.exec(call.path)?.[1];
  if (!vmPart) throw new Error(`${call.method} ${call.path}: not a /v1/vms/{vmId}/... path`);
  const vm = vmNamesIn(vmPart)[0] ?? vmPart;
  if (call.method === 'GET') return { vm, op: null };
  for (const route of ROUTES) {
    const m = route.method === call.method ? route.pattern.exec(call.path) : null;
    if (m) return { vm, op: route.op([...m], call.body ?? {}) };
  }
  throw new Error(`${call.method} ${call.path}: no engine operation behind this call`);
}
