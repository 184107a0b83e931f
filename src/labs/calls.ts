// Student-facing HTTP calls <-> engine operations. Tests and quizzes replay a lab's
// calls on the engine through this, so the calls a lab shows are the calls that work.
// The operations come from the route handlers' own builders (src/operations/).
import { operationForCall } from '../operations/operation-for-call.js';
import type { Operation } from '../sim/index.js';
import type { ApiCall } from './lab-types.js';

const VM_PLACEHOLDER = /\{vm:([A-Za-z0-9_-]+)\}/g;

/** The session VM names a path refers to through `{vm:<name>}`. */
export function vmNamesIn(path: string): string[] {
  return [...path.matchAll(VM_PLACEHOLDER)].map((m) => m[1]!);
}

/** Replace `{vm:<name>}` by the VM ids of a session; unknown names stay as they are. */
export function resolvePath(path: string, ids: Record<string, string>): string {
  return path.replace(VM_PLACEHOLDER, (whole, name: string) => ids[name] ?? whole);
}

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
  const op = operationForCall(call.method, call.path, call.body);
  if (op) return { vm, op };
  throw new Error(`${call.method} ${call.path}: no engine operation behind this call`);
}
