// Memslots (KVM_SET_USER_MEMORY_REGION2) and memory attributes (KVM_SET_MEMORY_ATTRIBUTES).
import { deleteMemslotOperation, setMemoryAttributesOperation, setMemslotOperation, type AttributesBody, type MemslotBody } from '../operations/requests.js';
import { sendCommitted, type Handler, type MemslotParams, type VmParams } from './parse.js';

export const memoryHandlers: Record<string, Handler> = {
  putMemslot: async (request, reply) => {
    const { vmId, addressSpace, slot } = request.params as MemslotParams;
    return sendCommitted(reply, await request.server.vmStore.execute(vmId, setMemslotOperation(addressSpace, slot, request.body as MemslotBody)));
  },

  deleteMemslot: async (request, reply) => {
    const { vmId, addressSpace, slot } = request.params as MemslotParams;
    return sendCommitted(reply, await request.server.vmStore.execute(vmId, deleteMemslotOperation(addressSpace, slot)));
  },

  listMemslots: async (request) => ({
    memslots: await request.server.vmStore.query((request.params as VmParams).vmId, { kind: 'memslots' }),
  }),

  setMemoryAttributes: async (request, reply) => {
    const committed = await request.server.vmStore.execute((request.params as VmParams).vmId, setMemoryAttributesOperation(request.body as AttributesBody));
    return sendCommitted(reply, committed);
  },

  listMemoryAttributes: async (request) => ({
    memoryAttributes: await request.server.vmStore.query((request.params as VmParams).vmId, { kind: 'memoryAttributes' }),
  }),
};
