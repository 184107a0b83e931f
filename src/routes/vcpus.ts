// vCPUs: create, list, get, mode changes, KVM_PRE_FAULT_MEMORY and guest accesses.
import { OPERATION_BUILDERS } from '../operations/by-operation-id.js';
import { sendCommitted, type Handlers } from './handler.js';

export const vcpuHandlers = {
  createVcpu: async (request, reply) => {
    const committed = await request.server.liveVms.execute(request.params.vmId, OPERATION_BUILDERS.createVcpu(request.params, request.body));
    // A dead VM answers KVM_CREATE_VCPU with EIO: an ioctl outcome (200), not a new vCPU (201).
    reply.code('ret' in (JSON.parse(committed.json) as object) ? 200 : 201);
    return sendCommitted(reply, committed, 'createVcpu');
  },

  listVcpus: async (request) => ({ vcpus: await request.server.liveVms.query(request.params.vmId, { kind: 'vcpus' }) }),

  getVcpu: async (request) => request.server.liveVms.query(request.params.vmId, { kind: 'vcpu', vcpuId: request.params.vcpuId }),

  patchVcpu: async (request, reply) =>
    sendCommitted(
      reply,
      await request.server.liveVms.execute(request.params.vmId, OPERATION_BUILDERS.patchVcpu(request.params, request.body)),
      'patchVcpu',
    ),

  preFault: async (request, reply) =>
    sendCommitted(
      reply,
      await request.server.liveVms.execute(request.params.vmId, OPERATION_BUILDERS.preFault(request.params, request.body)),
      'preFault',
    ),

  guestAccess: async (request, reply) =>
    sendCommitted(
      reply,
      await request.server.liveVms.execute(request.params.vmId, OPERATION_BUILDERS.guestAccess(request.params, request.body)),
      'guestAccess',
    ),
} satisfies Partial<Handlers>;
