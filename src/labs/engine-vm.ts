// An engine VM of any arch as the service builds and calls it: the x86 engine's Vm, or an
// arm64/s390 one behind the same calls. The engine hosts (src/service/engine) and the labs'
// own engine runs (sessions, quizzes, lab:check) both build and apply through here, so both
// refuse another arch's fields the same way.
import { createVm, DEFAULT_LIMITS, vmArch, type AnyVmConfig, type Operation, type Vm, type VmConfig, type VmLimits } from '../sim/index.js';
import { ArchEngineVm } from './arch-engine-vm.js';
import { refuseForeignOpFields } from './vm-arch.js';

export type EngineVm = Vm | ArchEngineVm;

/** A fresh engine VM for a stored configuration (defaults filled), on the engine of its arch. */
export function createEngineVm(config: AnyVmConfig, limits: Partial<VmLimits> = {}): EngineVm {
  if (vmArch(config) === 'x86') return createVm(config as VmConfig, limits);
  return new ArchEngineVm(config as ConstructorParameters<typeof ArchEngineVm>[0], { ...DEFAULT_LIMITS, ...limits });
}

/** One operation, as the service applies it: another arch's field is refused before the engine sees it. */
export function applyEngineOp(vm: EngineVm, op: Operation): unknown {
  refuseForeignOpFields(op, vm.config);
  return vm.apply(op);
}
