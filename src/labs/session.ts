// A lab session's VMs: config plus the set-up as engine operations, built by the same
// builders as the HTTP routes, so the service logs and replays them exactly like a
// student's own calls.
import { createVcpuOperation, finalizeOperation, setMemoryAttributesOperation, setMemslotOperation } from '../operations/requests.js';
import { ArchEngineVm } from './arch-engine-vm.js';
import { applyEngineOp, createEngineVm, type EngineVm } from './engine-vm.js';
import { withAnyVmDefaults, type AnyVmInput } from './vm-arch.js';
import type { Operation, Vm, VmLimits } from '../sim/index.js';
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

/** Build a session VM on the engine directly (tests, quizzes, lab:check): apply and log its set-up. */
export function buildEngineVm(s: SessionVm, limits?: Partial<VmLimits>): { vm: EngineVm; log: LoggedOperation[] } {
  // The service's defaults and its 400s for another arch's fields, the same engine per arch.
  const vm = createEngineVm(withAnyVmDefaults(s.config as unknown as AnyVmInput), limits);
  const log: LoggedOperation[] = [];
  for (const op of s.setupOps) {
    const result = applyEngineOp(vm, op) as { ret?: number; errno?: unknown };
    if (typeof result.ret === 'number' && result.ret !== 0) throw new Error(`set-up of ${s.name}: ${op.op} failed with ${String(result.errno)}`);
    log.push({ op, result });
  }
  return { vm, log };
}

/** An x86 session VM (quizzes draw x86 set-ups only). */
export function buildX86EngineVm(s: SessionVm): { vm: Vm; log: LoggedOperation[] } {
  const { vm, log } = buildEngineVm(s);
  if (vm instanceof ArchEngineVm) throw new Error(`set-up of ${s.name}: an x86 VM was expected, not ${vm.arch}`);
  return { vm, log };
}
