// The tracepoints one logged operation emitted: rebuild the VM on a scratch copy from the
// operations logged before it (as start-up replay does, a batch at a time), then apply the
// entry itself with a sink that counts every event and keeps only the range asked for.
// Pure: the caller supplies the configuration, the engine limits and the operations (the
// engine host runs it, next to the VM's own engine).
import { createVm, SimError, TraceWindow, type Operation, type Vm, type VmConfig, type VmLimits } from '../sim/index.js';
import { traceReport } from './trace-format.js';

/** The events one trace answer holds at most: past it the whole trace is refused and a range must be asked for. */
export const MAX_TRACE_EVENTS = 10_000;

/**
 * The events a traced call may emit at most: building them costs 20-40 times the call, so the
 * trace of a bigger call is refused (413) rather than let one request hold an engine for seconds.
 * About a 600 MiB 4K pre-fault (three events a page).
 */
export const MAX_TRACED_EVENTS = 500_000;

/** Events [offset, offset + limit) of an operation's trace. */
export interface TraceRange {
  offset: number;
  limit: number;
}

export interface OperationTrace {
  /** `trace-cmd report` lines of the events in the range. */
  text: string;
  /** Events the operation emitted in all. */
  total: number;
}

/** What to trace: log entry `seq`, its operation, and the limits the VM's engine runs with. */
export interface TraceTarget {
  op: Operation;
  seq: number;
  limits: Partial<VmLimits>;
}

/** A scratch VM that replays the log before one entry, then traces that entry. */
export class OperationTracer {
  private readonly vm: Vm;
  private readonly fault: Extract<Operation, { op: 'pre_fault' | 'access' }>;
  private readonly seq: number;

  /** 400 naming seq for an entry that is not a fault, before anything is replayed. */
  constructor(
    private readonly config: VmConfig,
    { op, seq, limits }: TraceTarget,
  ) {
    if (op.op !== 'pre_fault' && op.op !== 'access')
      throw new SimError('invalid', `entry ${seq} is a ${op.op}; only pre-faults and guest accesses are traced`, 'seq');
    this.fault = op;
    this.seq = seq;
    this.vm = createVm(config, limits);
  }

  /** Re-applies the next operations logged before the traced entry, in order. */
  replay(ops: readonly Operation[]): void {
    for (const op of ops) this.vm.apply(op);
  }

  /** Applies the traced entry, keeping the events in `range`; the tracer is spent after. */
  trace(range: TraceRange): OperationTrace {
    const window = new TraceWindow(range.offset, range.limit, MAX_TRACED_EVENTS);
    this.vm.apply(this.fault, { trace: window });
    const context = { vendor: this.config.host.vendor, vcpuId: this.fault.vcpuId, seconds: this.seq };
    return { text: traceReport(window.events, context, range.offset), total: window.total };
  }
}
