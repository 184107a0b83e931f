// The engine host that keeps every VM in this thread: each request runs synchronously
// when called (its promise only carries the answer), so a long call holds the event loop.
import { OperationTracer, type OperationTrace, type TraceRange, type TraceTarget } from '../../labs/trace.js';
import { SimError, type AnyVmConfig, type Operation, type VmLimits } from '../../sim/index.js';
import { createEngineVm, type EngineVm } from '../../labs/engine-vm.js';
import { applyOperation, replayEntries, runQuery, x86Only } from './dispatch.js';
import type { Applied, EngineHost, EngineQuery, QueryAnswers, QueryOf, ReplayEntry, ReplayOutcome } from './host.js';

export class InProcessEngineHost implements EngineHost {
  private readonly vms = new Map<string, EngineVm>();

  async create(vmId: string, config: AnyVmConfig, limits: Partial<VmLimits>): Promise<void> {
    this.vms.set(vmId, createEngineVm(config, limits));
  }

  async replay(vmId: string, entries: readonly ReplayEntry[]): Promise<ReplayOutcome> {
    return replayEntries(this.vm(vmId), entries);
  }

  async apply(vmId: string, op: Operation): Promise<Applied> {
    return applyOperation(this.vm(vmId), op);
  }

  async query<K extends EngineQuery['kind']>(vmId: string, query: QueryOf<K>): Promise<QueryAnswers[K]> {
    return runQuery(this.vm(vmId), query);
  }

  async trace(vmId: string, target: TraceTarget, before: AsyncIterable<Operation[]>, range: TraceRange): Promise<OperationTrace> {
    const tracer = new OperationTracer(x86Only(this.vm(vmId), 'a trace').config, target);
    for await (const ops of before) tracer.replay(ops);
    return tracer.trace(range);
  }

  async drop(vmId: string): Promise<void> {
    this.vms.delete(vmId);
  }

  async close(): Promise<void> {
    this.vms.clear();
  }

  private vm(vmId: string): EngineVm {
    const vm = this.vms.get(vmId);
    if (!vm) throw new SimError('not_found', `no VM with id ${vmId}`);
    return vm;
  }
}
