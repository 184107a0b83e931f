// Every state-changing operation of openapi.yaml, by operationId: its path parameters and
// body -> the engine Operation. The route handlers and the translation of calls written as
// data (labs, quizzes: calls.ts) both build through this table.
import type { BodyOf, ParamsOf } from '../contract/operation-types.js';
import type { Operation } from '../sim/index.js';
import {
  accessOperation,
  createVcpuOperation,
  deleteMemslotOperation,
  finalizeOperation,
  markDeadOperation,
  preFaultOperation,
  setMemoryAttributesOperation,
  setMemslotOperation,
  setVcpuModeOperation,
} from './requests.js';

export type StateChangingId =
  'createVcpu' | 'patchVcpu' | 'preFault' | 'guestAccess' | 'putMemslot' | 'deleteMemslot' | 'setMemoryAttributes' | 'finalizeVm' | 'markVmDead';

export const OPERATION_BUILDERS: { [K in StateChangingId]: (params: ParamsOf<K>, body: BodyOf<K>) => Operation } = {
  createVcpu: (_p, body) => createVcpuOperation(body),
  patchVcpu: (p, body) => setVcpuModeOperation(p.vcpuId, body),
  preFault: (p, body) => preFaultOperation(p.vcpuId, body),
  guestAccess: (p, body) => accessOperation(p.vcpuId, body),
  putMemslot: (p, body) => setMemslotOperation(p.addressSpace, p.slot, body),
  deleteMemslot: (p) => deleteMemslotOperation(p.addressSpace, p.slot),
  setMemoryAttributes: (_p, body) => setMemoryAttributesOperation(body),
  finalizeVm: () => finalizeOperation(),
  markVmDead: () => markDeadOperation(),
};
