// The operation log, a page at a time, and the tracepoints one logged fault emitted.
import type { Handlers } from './handler.js';

export const operationHandlers = {
  listOperations: async (request) => {
    const page = await request.server.liveVms.operations(request.params.vmId, request.query ?? {});
    return { operations: page.items, nextCursor: page.nextCursor };
  },

  getOperationTrace: async (request, reply) => {
    const { vmId, seq } = request.params;
    const trace = await request.server.labSessions.trace(vmId, seq, request.query ?? {});
    return reply.type('text/plain; charset=utf-8').header('x-trace-events', String(trace.total)).send(trace.text);
  },
} satisfies Partial<Handlers>;
