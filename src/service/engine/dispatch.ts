// What an engine host does with each request, as pure functions of an engine VM: the same
// code runs in-process and inside a worker thread, so both hosts answer byte for byte alike.
import type { Projection } from '../../db/projections.js';
import { evaluateCheck } from '../../labs/checks.js';
import { finalStateOf } from '../../labs/scenario-io.js';
import { parseU64, type Operation, type Vm } from '../../sim/index.js';
import type { Applied, EngineQuery, QueryAnswers, QueryOf, ReplayEntry, ReplayOutcome } from './host.js';

/** The mirror rows an operation kind can change, read fresh after it applied. */
function projectionAfter(op: Operation, vm: Vm): Projection {
  switch (op.op) {
    case 'set_memslot':
    case 'delete_memslot':
      return { memslots: vm.memslots() };
    case 'create_vcpu':
    case 'set_vcpu_mode':
      return { vcpus: vm.vcpus() };
    case 'set_memory_attributes':
      return { attributes: vm.memoryAttributes() };
    default:
      return {};
  }
}

export function applyOperation(vm: Vm, op: Operation): Applied {
  const json = JSON.stringify(vm.apply(op));
  return { json, projection: projectionAfter(op, vm) };
}

export function replayEntries(vm: Vm, entries: readonly ReplayEntry[]): ReplayOutcome {
  const outcome: ReplayOutcome = { diverged: 0, failures: [] };
  for (const entry of entries) {
    try {
      if (JSON.stringify(vm.apply(entry.op)) !== entry.resultJson) outcome.diverged += 1;
    } catch (error) {
      outcome.diverged += 1;
      outcome.failures.push({ seq: entry.seq, message: (error as Error).message });
    }
  }
  return outcome;
}

const QUERIES: { [K in EngineQuery['kind']]: (vm: Vm, query: QueryOf<K>) => QueryAnswers[K] } = {
  state: (vm) => ({ preFaultAllowed: vm.preFaultAllowed, dead: vm.dead, guestPhysBits: vm.guestPhysBits }),
  vcpus: (vm) => vm.vcpus(),
  vcpu: (vm, q) => vm.vcpu(q.vcpuId),
  memslots: (vm) => vm.memslots(),
  memoryAttributes: (vm) => vm.memoryAttributes(),
  capabilities: (vm) => vm.capabilities(),
  roots: (vm) => vm.roots(),
  mappings: (vm, q) =>
    vm.mappings(q.rootId, {
      ...(q.from !== undefined && { from: parseU64(q.from, 'from') }),
      ...(q.to !== undefined && { to: parseU64(q.to, 'to') }),
      limit: q.limit,
      ...(q.cursor !== undefined && { cursor: q.cursor }),
    }),
  walk: (vm, q) => vm.walk(q.rootId, parseU64(q.gpa, 'gpa')),
  finalState: finalStateOf,
  labChecks: (vm, q) =>
    q.checks.map((check) => evaluateCheck(check, { vms: { [check.vm]: vm }, ...(q.log && { operations: { [check.vm]: q.log } }) })),
};

/** Answers a named query on the VM (a pure read). */
export function runQuery<K extends EngineQuery['kind']>(vm: Vm, query: QueryOf<K>): QueryAnswers[K] {
  return (QUERIES[query.kind] as (vm: Vm, query: QueryOf<K>) => QueryAnswers[K])(vm, query);
}
