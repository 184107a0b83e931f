// The body of one engine worker thread: it owns the engine VMs the main thread placed on
// it and answers each request with the same pure dispatch the in-process host uses, so
// both hosts give byte-identical results. No I/O here: the log stays on the main thread.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { SimError } from '../../sim/index.js';
import { OperationTracer } from '../../labs/trace.js';
import { createEngineVm, type EngineVm } from '../../labs/engine-vm.js';
import { applyOperation, replayEntries, runQuery, x86Only } from './dispatch.js';
import { mayRunLong, type WireError, type WorkerCall, type WorkerReply, type WorkerRequest, type WorkerStart } from './worker-protocol.js';

const port = parentPort!;
const start = (workerData ?? {}) as WorkerStart;
const vms = new Map<string, EngineVm>();
/** Traces in progress (EngineHost.trace), by the id the main thread gave them. */
const tracers = new Map<number, OperationTracer>();
if (start.nice) lowerPriority(start.nice);

/**
 * Gives this thread a higher nice value than the main thread's, so that when the cores are
 * all busy the scheduler prefers the main thread, which every request of every VM passes
 * through, over engine work on behalf of some VMs. Linux: setpriority() on a thread id
 * (read from /proc/thread-self) changes that thread only; elsewhere this does nothing.
 */
function lowerPriority(nice: number): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // no /proc (not Linux) or not permitted: the worker runs at the main thread's priority
  }
}

function vm(vmId: string): EngineVm {
  const found = vms.get(vmId);
  if (!found) throw new SimError('not_found', `no VM with id ${vmId}`);
  return found;
}

function tracer(traceId: number): OperationTracer {
  const found = tracers.get(traceId);
  if (!found) throw new Error(`no trace ${traceId} in progress (this worker replaced one that died)`);
  return found;
}

function handle(request: WorkerCall): unknown {
  switch (request.call) {
    case 'create':
      vms.set(request.vmId, createEngineVm(request.config, request.limits));
      return undefined;
    case 'replay':
      return replayEntries(vm(request.vmId), request.entries);
    case 'apply':
      if (start.seams?.crashOnGpa !== undefined && 'gpa' in request.op && request.op.gpa === start.seams.crashOnGpa) crash();
      return applyOperation(vm(request.vmId), request.op);
    case 'query':
      return runQuery(vm(request.vmId), request.query);
    case 'drop':
      vms.delete(request.vmId);
      return undefined;
    case 'traceStart':
      tracers.set(request.traceId, new OperationTracer(x86Only(vm(request.vmId), 'a trace').config, request.target));
      return undefined;
    case 'traceReplay':
      tracer(request.traceId).replay(request.ops);
      return undefined;
    case 'traceFinish': {
      const spent = tracer(request.traceId);
      tracers.delete(request.traceId);
      return spent.trace(request.range);
    }
    case 'traceAbort':
      tracers.delete(request.traceId);
      return undefined;
  }
}

/** The test hook's error: thrown past the handler, uncaught, as a crash would be. */
class InjectedCrash extends Error {
  override name = 'InjectedCrash';
}

function crash(): never {
  throw new InjectedCrash('injected engine worker crash');
}

function wire(error: unknown): WireError {
  if (error instanceof SimError)
    return { name: error.name, message: error.message, code: error.code, ...(error.field !== undefined && { field: error.field }) };
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}

function answer(request: WorkerRequest): WorkerReply {
  const started = performance.now();
  let reply: WorkerReply;
  try {
    reply = { id: request.id, busyUs: 0, ok: true, value: handle(request) };
  } catch (error) {
    if (error instanceof InjectedCrash) throw error;
    reply = { id: request.id, busyUs: 0, ok: false, error: wire(error) };
  }
  reply.busyUs = Math.round((performance.now() - started) * 1000);
  return reply;
}

// One message per batch of requests; the answers go back together at the end, except that
// those gathered so far go out first when the next call may run long (worker-protocol.ts).
port.on('message', (batch: WorkerRequest[]) => {
  let replies: WorkerReply[] = [];
  for (const request of batch) {
    if (replies.length > 0 && mayRunLong(request)) {
      port.postMessage(replies);
      replies = [];
    }
    replies.push(answer(request));
  }
  port.postMessage(replies);
});
