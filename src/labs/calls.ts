// Student-facing HTTP calls <-> engine operations. Tests and quizzes replay a lab's
// calls on the engine through this, so the calls a lab shows are the calls that work.
// The operations come from the route handlers' own builders (src/routes/request-operations.ts).
import {
  accessOperation,
  createVcpuOperation,
  deleteMemslotOperation,
  finalizeOperation,
  markDeadOperation,
  preFaultOperation,
  setMemoryAttributesOperation,
  setMemslotOperation,
  setVcpuModeOperation,
  type AttributesBody,
  type MemslotBody,
  type PreFaultBody,
} from '../routes/request-operations.js';
import type { AccessKind, Operation, VcpuSpec } from '../sim/index.js';
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

// The same builders the route handlers use, keyed by method and path.
const ROUTES: {
  method: ApiCall['method'];
  pattern: RegExp;
  op: (m: string[], body: Record<string, any>) => Operation;
}[] = [
  { method: 'POST', pattern: /^\/v1\/vms\/([^/]+)\/vcpus$/, op: (_m, b) => createVcpuOperation(b as VcpuSpec) },
  { method: 'PATCH', pattern: /^\/v1\/vms\/([^/]+)\/vcpus\/(\d+)$/, op: (m, b) => setVcpuModeOperation(Number(m[2]), b) },
  { method: 'POST', pattern: /^\/v1\/vms\/([^/]+)\/vcpus\/(\d+)\/pre-fault$/, op: (m, b) => preFaultOperation(Number(m[2]), b as PreFaultBody) },
  { method: 'POST', pattern: /^\/v1\/vms\/([^/]+)\/vcpus\/(\d+)\/access$/, op: (m, b) => accessOperation(Number(m[2]), b as { gpa: unknown; kind: AccessKind }) },
  { method: 'PUT', pattern: /^\/v1\/vms\/([^/]+)\/memslots\/(\d+)\/(\d+)$/, op: (m, b) => setMemslotOperation(Number(m[2]), Number(m[3]), b as MemslotBody) },
  { method: 'DELETE', pattern: /^\/v1\/vms\/([^/]+)\/memslots\/(\d+)\/(\d+)$/, op: (m) => deleteMemslotOperation(Number(m[2]), Number(m[3])) },
  { method: 'PUT', pattern: /^\/v1\/vms\/([^/]+)\/memory-attributes$/, op: (_m, b) => setMemoryAttributesOperation(b as AttributesBody) },
  { method: 'POST', pattern: /^\/v1\/vms\/([^/]+)\/finalize$/, op: () => finalizeOperation() },
  { method: 'POST', pattern: /^\/v1\/vms\/([^/]+)\/mark-dead$/, op: () => markDeadOperation() },
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
