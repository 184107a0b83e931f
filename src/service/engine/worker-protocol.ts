// The messages between the main thread and an engine worker (structured clone). Every
// EngineHost call is one request with an id; the worker answers each id exactly once, in
// the order it received them (one port, one thread: a FIFO). Messages carry batches: the
// main thread sends the requests of one event-loop turn for a worker as one array, and
// the worker answers a batch with as few arrays as it can (see mayRunLong), because the
// fixed cost of a message (clone, wake-up, event) is larger than a small engine call.
// Errors cross as plain data: a SimError keeps its code and field so the service can
// still answer 4xx.
import type { TraceRange, TraceTarget } from '../../labs/trace.js';
import type { EngineQuery, ReplayEntry } from './host.js';
import { parseU64, type Operation, type SimErrorCode, type AnyVmConfig, type VmLimits } from '../../sim/index.js';

export type WorkerCall =
  | { call: 'create'; vmId: string; config: AnyVmConfig; limits: Partial<VmLimits> }
  | { call: 'replay'; vmId: string; entries: readonly ReplayEntry[] }
  | { call: 'apply'; vmId: string; op: Operation }
  | { call: 'query'; vmId: string; query: EngineQuery }
  | { call: 'drop'; vmId: string }
  // A trace (EngineHost.trace): a scratch VM opened for the VM, fed the log before the
  // traced entry a batch at a time, then the entry itself; aborted if the feeding fails.
  | { call: 'traceStart'; vmId: string; traceId: number; target: TraceTarget }
  | { call: 'traceReplay'; traceId: number; ops: Operation[] }
  | { call: 'traceFinish'; traceId: number; range: TraceRange }
  | { call: 'traceAbort'; traceId: number };

export type WorkerRequest = WorkerCall & { id: number };

export interface WireError {
  name: string;
  message: string;
  code?: SimErrorCode;
  field?: string;
}

/** busyUs: engine time this request took inside the worker (for the busy-time metric). */
export type WorkerReply = { id: number; busyUs: number } & ({ ok: true; value: unknown } | { ok: false; error: WireError });

/** Hooks only tests set; they reach the worker with its start data. */
export interface EngineSeams {
  /** An apply whose op has this gpa (hex string) kills its worker. */
  crashOnGpa?: string;
}

/** What the worker gets at start (workerData). */
export interface WorkerStart {
  /** The worker thread's nice value (Linux; 0 leaves it at the main thread's). */
  nice?: number;
  seams?: EngineSeams;
}

/** Bytes a pre-fault or attribute change may cover and still count as short (512 4K pages). */
const SHORT_BYTES = 0x20_0000n;

/** A size over SHORT_BYTES; a malformed one is short (the engine refuses it at once). */
function large(size: unknown): boolean {
  try {
    return parseU64(size, 'size') > SHORT_BYTES;
  } catch {
    return false;
  }
}

/**
 * Whether a call may hold the worker long enough that the answers gathered before it
 * should go out first: the worker posts them before such a call, so a short call that
 * shared a batch with a long one is not held behind it. Short: reads bounded by a page
 * size or a handful of objects, and changes covering at most SHORT_BYTES.
 */
export function mayRunLong(request: WorkerCall): boolean {
  switch (request.call) {
    case 'replay':
    case 'traceReplay':
    case 'traceFinish':
      return true;
    case 'query':
      return request.query.kind === 'finalState' || request.query.kind === 'labChecks' || request.query.kind === 'mappings';
    case 'apply':
      switch (request.op.op) {
        case 'pre_fault':
        case 'set_memory_attributes':
          return large(request.op.size);
        case 'set_memslot':
        case 'delete_memslot':
          return true; // a moved or deleted slot zaps whatever it mapped
        default:
          return false;
      }
    default:
      return false;
  }
}
