// What an engine host does with each request, as pure functions of an engine VM: the same
// code runs in-process and inside a worker thread, so both hosts answer byte for byte alike.
import type { Projection } from '../../db/projections.js';
import { evaluateCheck } from '../../labs/checks.js';
import { finalStateOf } from '../../labs/scenario-io.js';
import { SimError, parseU64, type MemslotView, type Operation, type Vm } from '../../sim/index.js';
import { applyEngineOp, type EngineVm } from '../../labs/engine-vm.js';
import { ArchEngineVm } from '../../labs/arch-engine-vm.js';
import type { Applied, EngineQuery, QueryAnswers, QueryOf, ReplayEntry, ReplayOutcome } from './host.js';

/** The x86 engine VM behind `vm`; a 400 for what only x86 VMs have (export, traces). */
export function x86Only(vm: EngineVm, what: string): Vm {
  if (vm instanceof ArchEngineVm) throw new SimError('invalid', `${what} is available for x86 VMs only (this VM is ${vm.arch})`);
  return vm;
}

/** The mirror rows an operation kind can change, read fresh after it applied. */
function projectionAfter(op: Operation, vm: EngineVm): Projection {
  // An arm64/s390 memslot has the mirror row's columns; their vCPUs have none of the x86 vCPU row's, so they get no vCPU rows.
  if (vm instanceof ArchEngineVm) return op.op === 'set_memslot' || op.op === 'delete_memslot' ? { memslots: vm.memslots() as MemslotView[] } : {};
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

export function applyOperation(vm: EngineVm, op: Operation): Applied {
  const json = JSON.stringify(applyEngineOp(vm, op));
  return { json, projection: projectionAfter(op, vm) };
}

export function replayEntries(vm: EngineVm, entries: readonly ReplayEntry[]): ReplayOutcome {
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

/**
 * Answers a named query on the VM (a pure read). An arm64/s390 VM answers the same calls
 * with its arch's views (contract v2); the answer types name x86's, and every reader of an
 * arch VM's answer passes it on as JSON.
 */
export function runQuery<K extends EngineQuery['kind']>(vm: EngineVm, query: QueryOf<K>): QueryAnswers[K] {
  if (vm instanceof ArchEngineVm) {
    if (query.kind === 'state')
      return { preFaultAllowed: vm.preFaultAllowed, dead: vm.dead, guestPhysBits: vm.guestPhysBits, archView: vm.archView() } as QueryAnswers[K];
    if (query.kind === 'memoryAttributes') return [] as unknown as QueryAnswers[K];
    if (query.kind === 'finalState') {
      const roots = vm.roots() as { id: string }[];
      return { roots, mappings: Object.fromEntries(roots.map((r) => [r.id, vm.allMappings(r.id)])) } as unknown as QueryAnswers[K];
    }
  }
  return (QUERIES[query.kind] as unknown as (vm: EngineVm, query: QueryOf<K>) => QueryAnswers[K])(vm, query);
}
