// The body of one engine worker thread: it owns the engine VMs the main thread placed on
// it and answers each request with the same pure dispatch the in-process host uses, so
// both hosts give byte-identical results. No I/O here: the log stays on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { SimError, createVm, type Vm } from '../../sim/index.js';
import { applyOperation, replayEntries, runQuery } from './dispatch.js';
import type { WireError, WorkerCall, WorkerReply, WorkerRequest, WorkerStart } from './worker-protocol.js';

const port = parentPort!;
const start = (workerData ?? {}) as WorkerStart;
const vms = new Map<string, Vm>();

function vm(vmId: string): Vm {
  const found = vms.get(vmId);
  if (!found) throw new SimError('not_found', `no VM with id ${vmId}`);
  return found;
}

function handle(request: WorkerCall): unknown {
  switch (request.call) {
    case 'create':
      vms.set(request.vmId, createVm(request.config, request.limits));
      return undefined;
    case 'replay':
      return replayEntries(vm(request.vmId), request.entries);
    case 'apply':
      if (start.crashOnGpa !== undefined && 'gpa' in request.op && request.op.gpa === start.crashOnGpa) crash();
      return applyOperation(vm(request.vmId), request.op);
    case 'query':
      return runQuery(vm(request.vmId), request.query);
    case 'drop':
      vms.delete(request.vmId);
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

port.on('message', (request: WorkerRequest) => {
  const started = performance.now();
  let reply: WorkerReply;
  try {
    const value = handle(request);
    reply = { id: request.id, busyUs: 0, ok: true, value };
  } catch (error) {
    if (error instanceof InjectedCrash) throw error;
    reply = { id: request.id, busyUs: 0, ok: false, error: wire(error) };
  }
  reply.busyUs = Math.round((performance.now() - started) * 1000);
  port.postMessage(reply);
});
