// The operation log, a page at a time, and the tracepoints one logged fault emitted.
import type { Handler, PageQuerystring, VmParams } from './parse.js';

export const operationHandlers: Record<string, Handler> = {
  listOperations: async (request) => {
    const page = await request.server.vmStore.operations((request.params as VmParams).vmId, request.query as PageQuerystring);
    return { operations: page.items, nextCursor: page.nextCursor };
  },

  getOperationTrace: async (request, reply) => {
    const { vmId, seq } = request.params as VmParams & { seq: number };
    return reply.type('text/plain; charset=utf-8').send(await request.server.labSessions.trace(vmId, seq));
  },
};
