// The operation log, a page at a time.
import type { Handler, PageQuerystring, VmParams } from './parse.js';

export const operationHandlers: Record<string, Handler> = {
  listOperations: async (request) => {
    const page = await request.server.vmStore.operations((request.params as VmParams).vmId, request.query as PageQuerystring);
    return { operations: page.items, nextCursor: page.nextCursor };
  },
};
