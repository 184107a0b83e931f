// Labs: the catalogue, sessions (the lab's VMs, set up) and checks of a session's state.
import type { Handlers } from './handler.js';

export const labHandlers = {
  listLabs: async (request) => ({ labs: request.server.labService.list() }),

  getLab: async (request) => request.server.labService.lab(request.params.labId),

  createLabSession: async (request) => request.server.labService.createSession(request.params.labId, request.owner),

  checkLabSession: async (request) => request.server.labService.check(request.params.labId, request.params.sessionId, request.owner),
} satisfies Partial<Handlers>;
