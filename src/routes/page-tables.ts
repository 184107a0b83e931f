// Read-only views of the TDP page tables: roots, coalesced leaf mappings, one-address walks.
import { u64 } from '../operations/requests.js';
import { DEFAULT_PAGE_LIMIT } from '../service/list-page.js';
import type { Handler, RootParams, VmParams } from './parse.js';

interface MappingsQuery {
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export const pageTableHandlers: Record<string, Handler> = {
  listRoots: async (request) => ({ roots: await request.server.vmStore.query((request.params as VmParams).vmId, { kind: 'roots' }) }),

  listMappings: async (request) => {
    const { vmId, rootId } = request.params as RootParams;
    const query = request.query as MappingsQuery;
    return request.server.vmStore.query(vmId, {
      kind: 'mappings',
      rootId,
      ...(query.from !== undefined && { from: u64(query.from, 'from') }),
      ...(query.to !== undefined && { to: u64(query.to, 'to') }),
      limit: query.limit ?? DEFAULT_PAGE_LIMIT,
      ...(query.cursor !== undefined && { cursor: query.cursor }),
    });
  },

  walkRoot: async (request) => {
    const { vmId, rootId } = request.params as RootParams;
    return request.server.vmStore.query(vmId, { kind: 'walk', rootId, gpa: u64((request.query as { gpa: string }).gpa, 'gpa') });
  },
};
