// VMs: create, list, get, delete, finalize, capabilities.
import { OPERATION_BUILDERS } from '../operations/by-operation-id.js';
import { sendCommitted, type Handlers } from './handler.js';

export const vmHandlers = {
  createVm: async (request) => request.server.liveVms.create(request.body, request.owner),

  listVms: async (request) => {
    const page = await request.server.liveVms.list(request.query ?? {}, request.owner);
    return { vms: page.items, nextCursor: page.nextCursor };
  },

  getVm: async (request) => request.server.liveVms.getView(request.params.vmId),

  deleteVm: async (request, reply) => {
    await request.server.liveVms.remove(request.params.vmId);
    return reply.code(204).send();
  },

  finalizeVm: async (request, reply) =>
    sendCommitted(
      reply,
      await request.server.liveVms.execute(request.params.vmId, OPERATION_BUILDERS.finalizeVm(request.params, undefined)),
      'finalizeVm',
    ),

  /** kvm_vm_dead(): logged like any change; the answer is the VM view, now dead. */
  markVmDead: async (request) => {
    await request.server.liveVms.execute(request.params.vmId, OPERATION_BUILDERS.markVmDead(request.params, undefined));
    return request.server.liveVms.getView(request.params.vmId);
  },

  getCapabilities: async (request) => request.server.liveVms.query(request.params.vmId, { kind: 'capabilities' }),
} satisfies Partial<Handlers>;
