// Lab sessions on the engine alone (no service, no database): build the VMs as the service
// would, run calls through the same call -> operation translation, and keep the log the
// server would keep. npm run lab:check plays a lab's solution with it; tests do too.
import { applyEngineOp, type EngineVm } from './engine-vm.js';
import { buildEngineVm, createLabSession } from './session.js';
import { callToOperation } from './calls.js';
import { gradeLab, type GradeInput } from './checks.js';
import type { ApiCall, Lab, LabGrade, LoggedOperation } from './lab-types.js';

export interface EngineSession extends Required<GradeInput> {
  vms: Record<string, EngineVm>;
  /** The call's result as the engine answered it (the contract's answer of any arch), or null for a read. */
  run(call: ApiCall): unknown;
  grade(): LabGrade;
}

export function startEngineSession(lab: Lab): EngineSession {
  const vms: Record<string, EngineVm> = {};
  const operations: Record<string, LoggedOperation[]> = {};
  for (const s of createLabSession(lab)) {
    const built = buildEngineVm(s);
    vms[s.name] = built.vm;
    operations[s.name] = built.log;
  }
  return {
    vms,
    operations,
    run(call) {
      const { vm, op } = callToOperation(call);
      if (!op) return null;
      const result = applyEngineOp(vms[vm]!, op);
      operations[vm]!.push({ op, result });
      return result;
    },
    grade() {
      return gradeLab(lab, { vms, operations });
    },
  };
}
