// A lab session's VMs: config plus the set-up as engine operations, built by the same
// builders as the HTTP routes, so the service logs and replays them exactly like a
// student's own calls.
import { createVcpuOperation, finalizeOperation, setMemoryAttributesOperation, setMemslotOperation } from '../operations/requests.js';
import { createVm, withVmDefaults, type Operation, type Vm, type VmLimits } from '../sim/index.js';
import type { Lab, LabVmSetup, LoggedOperation, SessionVm } from './lab-types.js';

/** The set-up in the order a userspace VMM would issue it: slots, attributes, vCPUs, finalize. */
function setupOperations(setup: LabVmSetup): Operation[] {
  const ops: Operation[] = [];
  for (const { addressSpace, slot, ...region } of setup.memslots ?? []) ops.push(setMemslotOperation(addressSpace, slot, region));
  for (const a of setup.memoryAttributes ?? []) ops.push(setMemoryAttributesOperation(a));
  for (const vcpu of setup.vcpus ?? []) ops.push(createVcpuOperation(vcpu));
  if (setup.finalize) ops.push(finalizeOperation());
  return ops;
}

/** The VM name a session gives a lab VM (unique enough to read in a VM list). */
const sessionVmName = (labId: string, vmName: string): string => `${labId}:${vmName}`;

export function sessionVm(labId: string, setup: LabVmSetup): SessionVm {
  return {
    name: setup.name,
    config: { ...setup.config, name: sessionVmName(labId, setup.name) },
    setupOps: setupOperations(setup),
  };
}

/** Every VM of a new session of this lab. */
export function createLabSession(lab: Lab): SessionVm[] {
  return lab.vms.map((setup) => sessionVm(lab.id, setup));
}

/** Build a session VM on the engine directly (tests, quizzes): apply and log its set-up. */
export function buildEngineVm(s: SessionVm, limits?: Partial<VmLimits>): { vm: Vm; log: LoggedOperation[] } {
  const vm = createVm(withVmDefaults(s.config), limits);
  const log: LoggedOperation[] = [];
  for (const op of s.setupOps) {
    const result = vm.apply(op);
    if ('ret' in result && result.ret !== 0)
      throw new Error(`set-up of ${s.name}: ${op.op} failed with ${String((result as { errno: unknown }).errno)}`);
    log.push({ op, result });
  }
  return { vm, log };
}
