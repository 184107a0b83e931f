// VMs: create, list, get, delete, finalize, capabilities.
import { finalizeOperation } from '../operations/requests.js';
import type { VmConfigInput } from '../sim/index.js';
import { sendCommitted, type Handler, type PageQuerystring, type VmParams } from './parse.js';

export const vmHandlers: Record<string, Handler> = {
  createVm: async (request) => request.server.vmStore.create(request.body as VmConfigInput, request.owner),

  listVms: async (request) => {
    const page = await request.server.vmStore.list(request.query as PageQuerystring, request.owner);
    return { vms: page.items, nextCursor: page.nextCursor };
  },

  getVm: async (request) => request.server.vmStore.getView((request.params as VmParams).vmId),

  deleteVm: async (request, reply) => {
    await request.server.vmStore.remove((request.params as VmParams).vmId);
    return reply.code(204).send();
  },

  finalizeVm: async (request, reply) =>
    sendCommitted(reply, await request.server.vmStore.execute((request.params as VmParams).vmId, finalizeOperation())),

  getCapabilities: async (request) =>
    request.server.vmStore.query((request.params as VmParams).vmId, { kind: 'capabilities' }),
};
