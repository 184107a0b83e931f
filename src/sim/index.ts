// The engine's entry point: everything the service (or a test) needs, nothing else.
export * from './types.js';
export { SimError } from './errors.js';
export type { SimErrorCode } from './errors.js';
export { withVmDefaults, DEFAULT_LIMITS } from './vm-config.js';
export { createVm } from './vm.js';
export type { Vm, ApplyOptions } from './vm.js';
export type { TracepointEvent, TracepointSink } from './mmu/tracepoint.js';
export { TraceWindow } from './mmu/tracepoint.js';
export { parseU64, hex } from './u64.js';
// The arm64 and s390 engines (contract v2), as the service hosts them.
export { Arm64Vm } from './arm64/vm.js';
export { S390Vm } from './s390/vm.js';
export type { Arm64VcpuPatch, Arm64VmConfig, Arm64VmConfigInput } from './arm64/types.js';
export type { S390VmConfig, S390VmConfigInput } from './s390/types.js';
export type { ArchMemslotSpec, ArchPreFaultRequest } from './arch-types.js';
export type { AnyVmConfig, VmArch } from './arch-config.js';
export { vmArch } from './arch-config.js';
export { archPreFaultEarly, parsePreFault } from './generic-prefault.js';
export { EIO, ioctlResult } from './errno.js';
export { VM_DEAD_REASON } from './prefault.js';
