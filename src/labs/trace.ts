// The tracepoints one logged operation emitted: rebuild the VM from the operations logged
// before it (as start-up replay does), then apply the entry itself with a sink that counts
// every event and keeps only the range asked for. Pure: the caller supplies the
// configuration, the engine limits and the operations (the engine host runs it).
import { createVm, SimError, TraceWindow, type Operation, type VmConfig, type VmLimits } from '../sim/index.js';
import { traceReport } from './trace-format.js';

/** The events one trace answer holds at most: past it the whole trace is refused and a range must be asked for. */
export const MAX_TRACE_EVENTS = 10_000;

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

/** The trace of log entry `ops.length` (1-based seq), given the operations of entries 1..seq; 400 for an entry that is not a fault. */
export function traceOperation(config: VmConfig, limits: Partial<VmLimits>, ops: readonly Operation[], range: TraceRange): OperationTrace {
  const seq = ops.length;
  const op = ops[seq - 1];
  if (!op) throw new SimError('not_found', 'the VM has no log entry to trace');
  if (op.op !== 'pre_fault' && op.op !== 'access')
    throw new SimError('invalid', `entry ${seq} is a ${op.op}; only pre-faults and guest accesses are traced`, 'seq');
  const vm = createVm(config, limits);
  for (let i = 0; i < seq - 1; i++) vm.apply(ops[i]!);
  const window = new TraceWindow(range.offset, range.limit);
  vm.apply(op, { trace: window });
  return { text: traceReport(window.events, { vendor: config.host.vendor, vcpuId: op.vcpuId, seconds: seq }, range.offset), total: window.total };
}
