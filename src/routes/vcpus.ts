// vCPUs: create, list, get, mode changes, KVM_PRE_FAULT_MEMORY and guest accesses.
import type { AccessKind, VcpuModePatch, VcpuSpec } from '../sim/index.js';
import { accessOperation, createVcpuOperation, preFaultOperation, setVcpuModeOperation, type PreFaultBody } from '../operations/requests.js';
import { sendCommitted, type Handler, type VcpuParams, type VmParams } from './parse.js';

export const vcpuHandlers: Record<string, Handler> = {
  createVcpu: async (request, reply) =>
    sendCommitted(reply, await request.server.vmStore.execute((request.params as VmParams).vmId, createVcpuOperation(request.body as VcpuSpec))),

  listVcpus: async (request) => ({ vcpus: await request.server.vmStore.query((request.params as VmParams).vmId, { kind: 'vcpus' }) }),

  getVcpu: async (request) => {
    const { vmId, vcpuId } = request.params as VcpuParams;
    return request.server.vmStore.query(vmId, { kind: 'vcpu', vcpuId });
  },

  patchVcpu: async (request, reply) => {
    const { vmId, vcpuId } = request.params as VcpuParams;
    return sendCommitted(reply, await request.server.vmStore.execute(vmId, setVcpuModeOperation(vcpuId, request.body as VcpuModePatch)));
  },

  preFault: async (request, reply) => {
    const { vmId, vcpuId } = request.params as VcpuParams;
    return sendCommitted(reply, await request.server.vmStore.execute(vmId, preFaultOperation(vcpuId, request.body as PreFaultBody)));
  },

  guestAccess: async (request, reply) => {
    const { vmId, vcpuId } = request.params as VcpuParams;
    const body = request.body as { gpa: unknown; kind: AccessKind };
    return sendCommitted(reply, await request.server.vmStore.execute(vmId, accessOperation(vcpuId, body)));
  },
};
