// The operation log, a page at a time.
import type { Handlers } from './handler.js';

export const operationHandlers = {
  listOperations: async (request) => {
    const page = await request.server.vmStore.operations(request.params.vmId, request.query ?? {});
    return { operations: page.items, nextCursor: page.nextCursor };
  },
} satisfies Partial<Handlers>;
