// Memslots (KVM_SET_USER_MEMORY_REGION2) and memory attributes (KVM_SET_MEMORY_ATTRIBUTES).
import { OPERATION_BUILDERS } from '../operations/by-operation-id.js';
import { sendCommitted, type Handlers } from './handler.js';

export const memoryHandlers = {
  putMemslot: async (request, reply) =>
    sendCommitted(
      reply,
      await request.server.liveVms.execute(request.params.vmId, OPERATION_BUILDERS.putMemslot(request.params, request.body)),
      'putMemslot',
    ),

  deleteMemslot: async (request, reply) =>
    sendCommitted(
      reply,
      await request.server.liveVms.execute(request.params.vmId, OPERATION_BUILDERS.deleteMemslot(request.params, undefined)),
      'deleteMemslot',
    ),

  listMemslots: async (request) => ({ memslots: await request.server.liveVms.query(request.params.vmId, { kind: 'memslots' }) }),

  setMemoryAttributes: async (request, reply) =>
    sendCommitted(
      reply,
      await request.server.liveVms.execute(request.params.vmId, OPERATION_BUILDERS.setMemoryAttributes(request.params, request.body)),
      'setMemoryAttributes',
    ),

  listMemoryAttributes: async (request) => ({
    memoryAttributes: await request.server.liveVms.query(request.params.vmId, { kind: 'memoryAttributes' }),
  }),
} satisfies Partial<Handlers>;
