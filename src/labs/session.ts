// A lab session's VMs: config plus the set-up as engine operations, built by the same
// builders as the HTTP routes, so the service logs and replays them exactly like a
// student's own calls.
import { createVcpuOperation, finalizeOperation, setMemoryAttributesOperation, setMemslotOperation } from '../operations/requests.js';
import { ArchEngineVm } from './arch-engine-vm.js';
import { refuseForeignOpFields, withAnyVmDefaults, type AnyVmInput } from './vm-arch.js';
import { createVm, DEFAULT_LIMITS, vmArch, type Operation, type Vm, type VmConfig, type VmLimits } from '../sim/index.js';
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

/** A lab VM on the engine alone: the x86 Vm, or an arm64/s390 VM behind the same calls. */
export type LabEngineVm = Vm | ArchEngineVm;

/**
 * The engine VM the service would build for this configuration: the same defaults, the same
 * 400s for another arch's fields (service/vm-arch.ts), the same engine per arch.
 */
function createLabEngineVm(config: SessionVm['config'], limits?: Partial<VmLimits>): LabEngineVm {
  const stored = withAnyVmDefaults(config as unknown as AnyVmInput);
  if (vmArch(stored) === 'x86') return createVm(stored as VmConfig, limits);
  return new ArchEngineVm(stored as ConstructorParameters<typeof ArchEngineVm>[0], { ...DEFAULT_LIMITS, ...limits });
}

/** Apply one operation as the service does: another arch's field is refused before the engine sees it. */
export function applyOnLabVm(vm: LabEngineVm, op: Operation): unknown {
  refuseForeignOpFields(op, vm.config);
  return vm.apply(op);
}

/** Build a session VM on the engine directly (tests, quizzes, lab:check): apply and log its set-up. */
export function buildEngineVm(s: SessionVm, limits?: Partial<VmLimits>): { vm: LabEngineVm; log: LoggedOperation[] } {
  const vm = createLabEngineVm(s.config, limits);
  const log: LoggedOperation[] = [];
  for (const op of s.setupOps) {
    const result = applyOnLabVm(vm, op) as { ret?: number; errno?: unknown };
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
