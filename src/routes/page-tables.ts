// Read-only views of the TDP page tables: roots, coalesced leaf mappings, one-address walks.
import { u64 } from '../operations/requests.js';
import { DEFAULT_PAGE_LIMIT } from '../service/list-page.js';
import type { Handlers } from './handler.js';

export const pageTableHandlers = {
  listRoots: async (request) => ({ roots: await request.server.liveVms.query(request.params.vmId, { kind: 'roots' }) }),

  listMappings: async (request) => {
    const { vmId, rootId } = request.params;
    const { from, to, limit, cursor } = request.query ?? {};
    return request.server.liveVms.query(vmId, {
      kind: 'mappings',
      rootId,
      ...(from !== undefined && { from: u64(from, 'from') }),
      ...(to !== undefined && { to: u64(to, 'to') }),
      limit: limit ?? DEFAULT_PAGE_LIMIT,
      ...(cursor !== undefined && { cursor }),
    });
  },

  walkRoot: async (request) => {
    const { vmId, rootId } = request.params;
    return request.server.liveVms.query(vmId, { kind: 'walk', rootId, gpa: u64(request.query.gpa, 'gpa') });
  },
} satisfies Partial<Handlers>;
