// A VM as a neutral scenario file (docs/scenario-format.md), and back.
import type { Handlers } from './handler.js';

export const scenarioHandlers = {
  exportVm: async (request) => request.server.scenarioService.exportVm(request.params.vmId),

  importVm: async (request) => request.server.scenarioService.importVm(request.body, request.owner),
} satisfies Partial<Handlers>;
