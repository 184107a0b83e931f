// The engine host that keeps VMs in worker threads: one engine per worker, each VM placed
// on one worker for its whole life (the one holding the fewest VMs when it is created),
// the main thread keeping HTTP, validation, the per-VM queues and group commit. A worker
// is a FIFO (one port, one thread), so the requests of one VM apply in the order the
// service sends them; VMs on different workers run in parallel, on different cores.
//
// Calls travel in batches: the calls for a worker made during one event-loop turn (all the
// requests Node read in that turn) go as one message, flushed from setImmediate right after
// the turn, as the group commit does; a message costs more than a small engine call.
//
// Plain workers rather than a pool (piscina, tinypool): a pool hands each task to any idle
// thread, but a VM's page tables live in one thread, so every call must go to that thread.
//
// A worker that dies (an uncaught error, an exit) is replaced at once by a fresh one in
// the same place; its calls in flight fail with EngineWorkerLost (a 500), its VMs are
// reported through onLost and refuse every call but create until the service rebuilt them
// from their logs (create + replay), so nothing runs on a VM that silently lost state.
import { Worker } from 'node:worker_threads';
import type { OperationTrace, TraceRange, TraceTarget } from '../../labs/trace.js';
import { SimError, type Operation, type AnyVmConfig, type VmLimits } from '../../sim/index.js';
import { ServiceError } from '../errors.js';
import type { Applied, EngineHost, EngineQuery, QueryAnswers, QueryOf, ReplayEntry, ReplayOutcome } from './host.js';
import type { EngineWorkerStats, EngineWorkerReport } from './engine-worker-stats.js';
import type { EngineSeams, WireError, WorkerCall, WorkerReply, WorkerRequest, WorkerStart } from './worker-protocol.js';

// Compiled (dist/, npm start), the worker loads its JavaScript directly; run from the
// TypeScript sources (tsx, vitest), through the shim that registers tsx in the worker thread.
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './engine-worker.mjs' : './engine-worker.js', import.meta.url);

/** The worker holding the VM died (a 500); the VM is rebuilt from its log before its next call. */
export class EngineWorkerLost extends ServiceError {
  constructor(message: string, options?: ErrorOptions) {
    super(500, 'internal', message);
    this.name = 'EngineWorkerLost';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export interface WorkerHostOptions {
  workers: number;
  /** The VMs of a worker that died: their engine state is gone until rebuilt from their logs. */
  onLost?: (vmIds: string[], error: Error) => void;
  /** Nice value of the worker threads (see engine-worker.ts lowerPriority); 0 or absent: the main thread's. */
  nice?: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

class EngineWorker {
  thread!: Worker;
  readonly pending = new Map<number, Pending>();
  /** Requests of this turn, not yet posted. */
  outbox: WorkerRequest[] = [];
  readonly vms = new Set<string>();
  busyUs = 0;
  restarts = 0;
}

function fromWire(error: WireError): Error {
  if (error.code !== undefined) return new SimError(error.code, error.message, error.field);
  const e = new Error(`engine worker: ${error.message}`);
  e.name = error.name;
  return e;
}

export class WorkerEngineHost implements EngineHost, EngineWorkerReport {
  private readonly engineWorkers: EngineWorker[];
  private readonly placement = new Map<string, EngineWorker>();
  /** VMs whose worker died and that no create has brought back yet. */
  private readonly lost = new Set<string>();
  private nextId = 1;
  private nextTraceId = 1;
  private closing = false;
  private flushScheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly options: WorkerHostOptions,
    private readonly seams: EngineSeams = {},
  ) {
    if (!Number.isSafeInteger(options.workers) || options.workers < 1) throw new Error(`workers must be at least 1, got ${options.workers}`);
    this.engineWorkers = Array.from({ length: options.workers }, () => {
      const engineWorker = new EngineWorker();
      this.spawn(engineWorker);
      return engineWorker;
    });
  }

  async create(vmId: string, config: AnyVmConfig, limits: Partial<VmLimits>): Promise<void> {
    const engineWorker = this.place(vmId);
    this.lost.delete(vmId);
    engineWorker.vms.add(vmId);
    await this.send(engineWorker, { call: 'create', vmId, config, limits });
  }

  async replay(vmId: string, entries: readonly ReplayEntry[]): Promise<ReplayOutcome> {
    return (await this.send(this.engineWorkerOf(vmId), { call: 'replay', vmId, entries })) as ReplayOutcome;
  }

  async apply(vmId: string, op: Operation): Promise<Applied> {
    return (await this.send(this.engineWorkerOf(vmId), { call: 'apply', vmId, op })) as Applied;
  }

  async query<K extends EngineQuery['kind']>(vmId: string, query: QueryOf<K>): Promise<QueryAnswers[K]> {
    return (await this.send(this.engineWorkerOf(vmId), { call: 'query', vmId, query })) as QueryAnswers[K];
  }

  /** On the VM's worker: the log before the entry goes over a batch at a time, each answered before the next is read. */
  async trace(vmId: string, target: TraceTarget, before: AsyncIterable<Operation[]>, range: TraceRange): Promise<OperationTrace> {
    const engineWorker = this.engineWorkerOf(vmId);
    const traceId = this.nextTraceId++;
    await this.send(engineWorker, { call: 'traceStart', vmId, traceId, target });
    try {
      for await (const ops of before) await this.send(engineWorker, { call: 'traceReplay', traceId, ops });
      return (await this.send(engineWorker, { call: 'traceFinish', traceId, range })) as OperationTrace;
    } catch (error) {
      this.send(engineWorker, { call: 'traceAbort', traceId }).catch(() => undefined);
      throw error;
    }
  }

  async drop(vmId: string): Promise<void> {
    const engineWorker = this.placement.get(vmId);
    this.placement.delete(vmId);
    this.lost.delete(vmId);
    if (!engineWorker) return;
    engineWorker.vms.delete(vmId);
    await this.send(engineWorker, { call: 'drop', vmId });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    await Promise.all(this.engineWorkers.map((s) => s.thread.terminate()));
    for (const engineWorker of this.engineWorkers) this.failPending(engineWorker, new EngineWorkerLost('the engine host is closing'));
  }

  /** The engine worker a VM lives on (its index), for per-worker queue bounds and metrics. */
  workerOf(vmId: string): number {
    const engineWorker = this.placement.get(vmId);
    return engineWorker ? this.engineWorkers.indexOf(engineWorker) : 0;
  }

  stats(): EngineWorkerStats[] {
    return this.engineWorkers.map((s, slot) => ({
      worker: slot,
      vms: s.vms.size,
      inFlight: s.pending.size,
      busySeconds: s.busyUs / 1e6,
      restarts: s.restarts,
    }));
  }

  private engineWorkerOf(vmId: string): EngineWorker {
    if (this.lost.has(vmId)) throw new EngineWorkerLost(`VM ${vmId} lost its engine worker and is being rebuilt; retry`);
    const engineWorker = this.placement.get(vmId);
    if (!engineWorker) throw new SimError('not_found', `no VM with id ${vmId}`);
    return engineWorker;
  }

  /** A VM keeps its engine worker for life (a rebuild comes back to it); a new one goes where the fewest VMs are. */
  private place(vmId: string): EngineWorker {
    let engineWorker = this.placement.get(vmId);
    if (!engineWorker) {
      engineWorker = this.engineWorkers.reduce((best, s) => (s.vms.size < best.vms.size ? s : best));
      this.placement.set(vmId, engineWorker);
    }
    return engineWorker;
  }

  private send(engineWorker: EngineWorker, call: WorkerCall): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      engineWorker.pending.set(id, { resolve, reject });
      engineWorker.outbox.push({ ...call, id });
      this.flushScheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Posts each worker's requests of this turn as one message. */
  private flush(): void {
    this.flushScheduled = undefined;
    for (const engineWorker of this.engineWorkers) {
      if (engineWorker.outbox.length === 0) continue;
      engineWorker.thread.postMessage(engineWorker.outbox);
      engineWorker.outbox = [];
    }
  }

  private spawn(engineWorker: EngineWorker): void {
    const { nice } = this.options;
    const start: WorkerStart = {
      ...(nice !== undefined && { nice }),
      ...(this.seams.crashOnGpa !== undefined && { seams: { crashOnGpa: this.seams.crashOnGpa } }),
    };
    // execArgv: [] so the worker does not rerun the parent's tsx preflight; the entry registers tsx itself.
    const worker = new Worker(ENTRY, { workerData: start, execArgv: [] });
    engineWorker.thread = worker;
    let failure: Error | undefined;
    worker.on('message', (replies: WorkerReply[]) => {
      for (const reply of replies) {
        const pending = engineWorker.pending.get(reply.id);
        if (!pending) continue;
        engineWorker.pending.delete(reply.id);
        engineWorker.busyUs += reply.busyUs;
        if (reply.ok) pending.resolve(reply.value);
        else pending.reject(fromWire(reply.error));
      }
    });
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      if (this.closing || engineWorker.thread !== worker) return;
      this.replace(engineWorker, failure ?? new Error(`engine worker exited with code ${code}`));
    });
  }

  /** A worker died: a fresh thread takes its place, its VMs are reported lost, its calls fail. */
  private replace(engineWorker: EngineWorker, cause: Error): void {
    const vmIds = [...engineWorker.vms];
    engineWorker.vms.clear();
    engineWorker.restarts += 1;
    for (const id of vmIds) this.lost.add(id);
    this.spawn(engineWorker);
    this.options.onLost?.(vmIds, cause);
    this.failPending(
      engineWorker,
      new EngineWorkerLost(`the engine worker holding this VM failed (${cause.message}); the VM is rebuilt from its log`, { cause }),
    );
  }

  private failPending(engineWorker: EngineWorker, error: Error): void {
    const pending = [...engineWorker.pending.values()];
    engineWorker.pending.clear();
    engineWorker.outbox = []; // not posted yet, but meant for the worker that is gone: they fail with the rest
    for (const p of pending) p.reject(error);
  }
}
