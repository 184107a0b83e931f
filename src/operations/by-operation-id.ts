// Every state-changing operation of openapi.yaml, by operationId: its path parameters and
// body -> the engine Operation (the builders of requests.ts). Calls written as HTTP (labs,
// quizzes) are translated through this table and the document's own paths (calls.ts).
import type { Operation } from '../sim/index.js';
import {
  accessOperation,
  createVcpuOperation,
  deleteMemslotOperation,
  finalizeOperation,
  preFaultOperation,
  setMemoryAttributesOperation,
  setMemslotOperation,
  setVcpuModeOperation,
} from './requests.js';

type PathParams = Record<string, string>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a call's body is checked by the builder it reaches
type Body = any;

export const OPERATION_BUILDERS: Record<string, (params: PathParams, body: Body) => Operation> = {
  createVcpu: (_p, b) => createVcpuOperation(b),
  patchVcpu: (p, b) => setVcpuModeOperation(Number(p.vcpuId), b),
  preFault: (p, b) => preFaultOperation(Number(p.vcpuId), b),
  guestAccess: (p, b) => accessOperation(Number(p.vcpuId), b),
  putMemslot: (p, b) => setMemslotOperation(Number(p.addressSpace), Number(p.slot), b),
  deleteMemslot: (p) => deleteMemslotOperation(Number(p.addressSpace), Number(p.slot)),
  setMemoryAttributes: (_p, b) => setMemoryAttributesOperation(b),
  finalizeVm: () => finalizeOperation(),
};
