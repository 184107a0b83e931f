// The engine's entry point: everything the service (or a test) needs, nothing else.
export * from './types.js';
export { SimError } from './errors.js';
export type { SimErrorCode } from './errors.js';
export { withVmDefaults, DEFAULT_LIMITS } from './config.js';
export { createVm } from './vm.js';
export type { Vm, ApplyOptions } from './vm.js';
export type { TracepointEvent, TracepointSink } from './mmu/tracepoint.js';
export { TraceWindow } from './trace.js';
export { parseU64, hex } from './u64.js';
