// Engine-level lab sessions for tests: build the VMs as the service would, run calls
// through the same call -> operation translation, and keep the log the server would keep.
import { buildEngineVm, createLabSession } from '../../src/labs/session.js';
import { callToOperation } from '../../src/labs/calls.js';
import { gradeLab, type GradeInput } from '../../src/labs/checks.js';
import type { ApiCall, Lab, LabGrade, LoggedOperation } from '../../src/labs/types.js';
import type { OperationResult, Vm } from '../../src/sim/index.js';

export interface EngineSession extends Required<GradeInput> {
  run(call: ApiCall): OperationResult | null;
  grade(): LabGrade;
}

export function startEngineSession(lab: Lab): EngineSession {
  const vms: Record<string, Vm> = {};
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
      const result = vms[vm]!.apply(op);
      operations[vm]!.push({ op, result });
      return result;
    },
    grade() {
      return gradeLab(lab, { vms, operations });
    },
  };
}
