// vCPUs: create, list, get, mode changes, KVM_PRE_FAULT_MEMORY and guest accesses.
import { OPERATION_BUILDERS } from '../operations/by-operation-id.js';
import { sendCommitted, type Handlers } from './handler.js';

export const vcpuHandlers = {
  createVcpu: async (request, reply) =>
    sendCommitted(reply, await request.server.vmStore.execute(request.params.vmId, OPERATION_BUILDERS.createVcpu(request.params, request.body))),

  listVcpus: async (request) => ({ vcpus: await request.server.vmStore.query(request.params.vmId, { kind: 'vcpus' }) }),

  getVcpu: async (request) => request.server.vmStore.query(request.params.vmId, { kind: 'vcpu', vcpuId: request.params.vcpuId }),

  patchVcpu: async (request, reply) =>
    sendCommitted(reply, await request.server.vmStore.execute(request.params.vmId, OPERATION_BUILDERS.patchVcpu(request.params, request.body))),

  preFault: async (request, reply) =>
    sendCommitted(reply, await request.server.vmStore.execute(request.params.vmId, OPERATION_BUILDERS.preFault(request.params, request.body))),

  guestAccess: async (request, reply) =>
    sendCommitted(reply, await request.server.vmStore.execute(request.params.vmId, OPERATION_BUILDERS.guestAccess(request.params, request.body))),
} satisfies Partial<Handlers>;
