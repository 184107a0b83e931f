// Labs: the catalogue, sessions (the lab's VMs, set up) and checks of a session's state.
import type { Handler } from './parse.js';

interface LabParams {
  labId: string;
}
interface SessionParams extends LabParams {
  sessionId: string;
}

export const labHandlers: Record<string, Handler> = {
  listLabs: async (request) => ({ labs: request.server.labService.list() }),

  getLab: async (request) => request.server.labService.lab((request.params as LabParams).labId),

  createLabSession: async (request) => request.server.labService.createSession((request.params as LabParams).labId, request.owner),

  checkLabSession: async (request) => {
    const { labId, sessionId } = request.params as SessionParams;
    return request.server.labService.check(labId, sessionId, request.owner);
  },
};
