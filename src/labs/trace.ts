// The tracepoints one logged operation emitted: rebuild the VM from its log up to the entry
// before (as start-up replay does), then apply the entry itself with a sink for its events.
// Pure: the caller supplies the configuration, the engine limits and the log.
import { createVm, SimError, type TracepointEvent, type VmConfig, type VmLimits } from '../sim/index.js';
import { traceReport } from './trace-format.js';
import type { LoggedOperation } from './types.js';

/** The `trace-cmd report` text of log entry `seq` (1-based); 400 for an entry that is not a fault. */
export function traceLoggedOperation(config: VmConfig, limits: Partial<VmLimits>, log: readonly LoggedOperation[], seq: number): string {
  const entry = log[seq - 1];
  if (!entry) throw new SimError('not_found', `the VM's log has no entry ${seq} (it has ${log.length})`);
  const { op } = entry;
  if (op.op !== 'pre_fault' && op.op !== 'access')
    throw new SimError('invalid', `entry ${seq} is a ${op.op}; only pre-faults and guest accesses are traced`, 'seq');
  const vm = createVm(config, limits);
  for (const e of log.slice(0, seq - 1)) vm.apply(e.op);
  const events: TracepointEvent[] = [];
  vm.apply(op, { trace: events });
  return traceReport(events, { vendor: config.host.vendor, vcpuId: op.vcpuId, seconds: seq });
}
