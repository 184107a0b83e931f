// The messages between the main thread and an engine worker (structured clone). Every
// EngineHost call is one request with an id; the worker answers each id exactly once, in
// the order it received them (one port, one thread: a FIFO). Errors cross as plain data:
// a SimError keeps its code and field so the service can still answer 4xx.
import type { EngineQuery, ReplayEntry } from './host.js';
import type { Operation, SimErrorCode, VmConfig, VmLimits } from '../../sim/index.js';

export type WorkerCall =
  | { call: 'create'; vmId: string; config: VmConfig; limits: Partial<VmLimits> }
  | { call: 'replay'; vmId: string; entries: readonly ReplayEntry[] }
  | { call: 'apply'; vmId: string; op: Operation }
  | { call: 'query'; vmId: string; query: EngineQuery }
  | { call: 'drop'; vmId: string };

export type WorkerRequest = WorkerCall & { id: number };

export interface WireError {
  name: string;
  message: string;
  code?: SimErrorCode;
  field?: string;
}

/** busyUs: engine time this request took inside the worker (for the busy-time metric). */
export type WorkerReply = { id: number; busyUs: number } & ({ ok: true; value: unknown } | { ok: false; error: WireError });

/** What the worker gets at start (workerData). */
export interface WorkerStart {
  /** Test-only crash hook: an operation whose gpa is this hex string kills the worker. */
  crashOnGpa?: string;
}
