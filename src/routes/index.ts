// operationId -> handler, for every operation in openapi.yaml (the route loader checks
// that the two sets are equal).
import type { LoadedDocument } from '../plugins/openapi-document.js';
import { memoryHandlers } from './memory.js';
import { operationHandlers } from './operations.js';
import { pageTableHandlers } from './page-tables.js';
import type { Handler } from './parse.js';
import { serviceHandlers } from './service.js';
import { vcpuHandlers } from './vcpus.js';
import { vmHandlers } from './vms.js';

export function handlers(openapi: LoadedDocument): Record<string, Handler> {
  return {
    ...vmHandlers,
    ...memoryHandlers,
    ...vcpuHandlers,
    ...pageTableHandlers,
    ...operationHandlers,
    ...serviceHandlers(openapi),
  };
}
