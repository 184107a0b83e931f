// A VM as a neutral scenario file (docs/scenario-format.md), and back.
import type { Handler, VmParams } from './parse.js';

export const scenarioHandlers: Record<string, Handler> = {
  exportVm: async (request) => request.server.scenarioService.exportVm((request.params as VmParams).vmId),

  importVm: async (request) => request.server.scenarioService.importVm(request.body as Record<string, unknown>, request.owner),
};
