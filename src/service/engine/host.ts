// The engine seam: the one way the service reaches engine VMs. Every request and answer is
// plain data (structured-clone and JSON safe: no closures, no engine objects, u64s as hex
// strings), so a host may keep its VMs in this thread (in-process.ts) or in worker threads.
// A host applies calls for one VM in the order it receives them; the service's per-VM
// queue gives that order. Failures: a SimError is the caller's mistake (the engine changed
// nothing; its code and field must survive the crossing); any other error is an engine bug
// after which the service rebuilds the VM from its log (create + replay).
import type { FinalState } from '../../labs/scenario-io.js';
import type { OperationTrace, TraceRange, TraceTarget } from '../../labs/trace.js';
import type { CheckOutcome, Check, LoggedOperation } from '../../labs/lab-types.js';
import type { Projection } from '../../db/projections.js';
import type { ReplayEntry } from '../../db/vm-repository.js';
import type { AnyVmConfig, Hex, MappingsPage, MemslotView, Operation, RootView, VcpuView, VmLimits, WalkResult } from '../../sim/index.js';
import type { ArchView } from '../../labs/arch-engine-vm.js';

/** One logged operation to re-apply: its result stays the logged JSON text, compared byte for byte. */
export type { ReplayEntry };

export interface ReplayOutcome {
  /** Entries whose result now differs from the logged one (or that threw). */
  diverged: number;
  /** The entries that threw, with the error message (logged as warnings). */
  failures: { seq: number; message: string }[];
}

/** An applied operation: the result as JSON text (what is logged and sent as is) and the mirror rows it changes. */
export interface Applied {
  json: string;
  projection: Projection;
}

/** Everything a lab, route or export reads from a VM, by name. */
export type EngineQuery =
  | { kind: 'state' }
  | { kind: 'vcpus' }
  | { kind: 'vcpu'; vcpuId: number }
  | { kind: 'memslots' }
  | { kind: 'memoryAttributes' }
  | { kind: 'capabilities' }
  | { kind: 'roots' }
  | { kind: 'mappings'; rootId: string; from?: Hex; to?: Hex; limit: number; cursor?: string }
  | { kind: 'walk'; rootId: string; gpa: Hex }
  /** Every root and every leaf row (export's expected_final_state). */
  | { kind: 'finalState' }
  /** Grades lab checks of this VM; `log` is its committed log when a check reads it. */
  | { kind: 'labChecks'; checks: Check[]; log?: LoggedOperation[] };

/** The answer of each query kind. */
export interface QueryAnswers {
  state: EngineState;
  vcpus: VcpuView[];
  vcpu: VcpuView;
  memslots: MemslotView[];
  memoryAttributes: { address: string; size: string; private: boolean }[];
  capabilities: { KVM_CAP_PRE_FAULT_MEMORY: 0 | 1 };
  roots: RootView[];
  mappings: MappingsPage;
  walk: WalkResult;
  finalState: FinalState;
  labChecks: CheckOutcome[];
}

export type QueryOf<K extends EngineQuery['kind']> = Extract<EngineQuery, { kind: K }>;

export interface EngineHost {
  /** A fresh engine VM under this id (replacing any VM it had: a rebuild starts here). */
  create(vmId: string, config: AnyVmConfig, limits: Partial<VmLimits>): Promise<void>;
  /** Re-applies logged entries, in order, to the VM (a batch at a time, after create). */
  replay(vmId: string, entries: readonly ReplayEntry[]): Promise<ReplayOutcome>;
  /** Applies one state-changing operation. */
  apply(vmId: string, op: Operation): Promise<Applied>;
  /** A read; never changes the VM. */
  query<K extends EngineQuery['kind']>(vmId: string, query: QueryOf<K>): Promise<QueryAnswers[K]>;
  /**
   * The tracepoints of `target` (a logged fault), on a scratch VM of this VM's configuration
   * rebuilt from `before` (the operations logged before it, a batch at a time, so memory
   * stays bounded by a batch); only the events in `range` are kept. Never changes the VM.
   */
  trace(vmId: string, target: TraceTarget, before: AsyncIterable<Operation[]>, range: TraceRange): Promise<OperationTrace>;
  /** Forgets the VM (deleted). */
  drop(vmId: string): Promise<void>;
  /** Releases the host's resources (after the service drained its queues). */
  close(): Promise<void>;
}

/** The engine-side part of a VM view: pre_fault_allowed, vm_dead, KVM's GuestPhysBits. */
export interface EngineState {
  preFaultAllowed: boolean;
  dead: boolean;
  guestPhysBits: number;
  /** arm64/s390 only: the view's `arm64` (stage-2 geometry) or `s390` (gmap) object. */
  archView?: ArchView;
}
