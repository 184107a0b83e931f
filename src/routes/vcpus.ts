// vCPUs: create, list, get, mode changes, KVM_PRE_FAULT_MEMORY and guest accesses.
import type { AccessKind, Operation, PreFaultInject, VcpuModePatch, VcpuSpec } from '../sim/index.js';
import { optionalU64, sendCommitted, u64, type Handler, type VcpuParams, type VmParams } from './parse.js';

interface PreFaultBody {
  gpa: unknown;
  size: unknown;
  flags?: unknown;
  padding?: unknown[];
  inject?: PreFaultInject;
}

export const vcpuHandlers: Record<string, Handler> = {
  createVcpu: async (request, reply) =>
    sendCommitted(reply, await request.server.vmStore.execute((request.params as VmParams).vmId, { op: 'create_vcpu', vcpu: request.body as VcpuSpec })),

  listVcpus: async (request) =>
    request.server.vmStore.read((request.params as VmParams).vmId, (vm) => ({ vcpus: vm.vcpus() })),

  getVcpu: async (request) => {
    const { vmId, vcpuId } = request.params as VcpuParams;
    return request.server.vmStore.read(vmId, (vm) => vm.vcpu(vcpuId));
  },

  patchVcpu: async (request, reply) => {
    const { vmId, vcpuId } = request.params as VcpuParams;
    return sendCommitted(reply, await request.server.vmStore.execute(vmId, { op: 'set_vcpu_mode', vcpuId, patch: request.body as VcpuModePatch }));
  },

  preFault: async (request, reply) => {
    const { vmId, vcpuId } = request.params as VcpuParams;
    const body = request.body as PreFaultBody;
    // The hot path: optional keys are added only when given (what compact() does, without its copies).
    const op: Extract<Operation, { op: 'pre_fault' }> = {
      op: 'pre_fault',
      vcpuId,
      gpa: u64(body.gpa, 'gpa'),
      size: u64(body.size, 'size'),
      flags: optionalU64(body.flags, 'flags') ?? '0x0',
    };
    if (body.padding !== undefined) op.padding = body.padding.map((word, i) => u64(word, `padding[${i}]`));
    if (body.inject !== undefined) op.inject = body.inject;
    return sendCommitted(reply, await request.server.vmStore.execute(vmId, op));
  },

  guestAccess: async (request, reply) => {
    const { vmId, vcpuId } = request.params as VcpuParams;
    const body = request.body as { gpa: unknown; kind: AccessKind };
    return sendCommitted(reply, await request.server.vmStore.execute(vmId, { op: 'access', vcpuId, gpa: u64(body.gpa, 'gpa'), kind: body.kind }));
  },
};
