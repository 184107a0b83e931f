// operationId -> handler, for every operation in openapi.yaml (the route loader checks
// that the two sets are equal).
import type { LoadedDocument } from '../contract/openapi-document.js';
import { assignmentHandlers } from './assignments.js';
import { labHandlers } from './labs.js';
import { memoryHandlers } from './memory.js';
import { operationHandlers } from './operations.js';
import { pageTableHandlers } from './page-tables.js';
import type { Handlers } from './handler.js';
import { quizHandlers } from './quizzes.js';
import { scenarioHandlers } from './scenarios.js';
import { serviceHandlers } from './service.js';
import { uiHandlers } from './ui.js';
import { vcpuHandlers } from './vcpus.js';
import { vmHandlers } from './vms.js';

export function handlers(openapi: LoadedDocument): Handlers {
  return {
    ...vmHandlers,
    ...memoryHandlers,
    ...vcpuHandlers,
    ...pageTableHandlers,
    ...operationHandlers,
    ...scenarioHandlers,
    ...labHandlers,
    ...quizHandlers,
    ...assignmentHandlers,
    ...uiHandlers,
    ...serviceHandlers(openapi),
  };
}
