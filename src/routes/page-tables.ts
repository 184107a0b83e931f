// Read-only views of the TDP page tables: roots, coalesced leaf mappings, one-address walks.
import { parseU64 } from '../sim/index.js';
import type { Handler, RootParams, VmParams } from './parse.js';
import { DEFAULT_PAGE_LIMIT } from '../db/list-page.js';

interface MappingsQuery {
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export const pageTableHandlers: Record<string, Handler> = {
  listRoots: async (request) => request.server.vmStore.read((request.params as VmParams).vmId, (vm) => ({ roots: vm.roots() })),

  listMappings: async (request) => {
    const { vmId, rootId } = request.params as RootParams;
    const query = request.query as MappingsQuery;
    const range = {
      ...(query.from !== undefined && { from: parseU64(query.from, 'from') }),
      ...(query.to !== undefined && { to: parseU64(query.to, 'to') }),
      limit: query.limit ?? DEFAULT_PAGE_LIMIT,
      ...(query.cursor !== undefined && { cursor: query.cursor }),
    };
    return request.server.vmStore.read(vmId, (vm) => vm.mappings(rootId, range));
  },

  walkRoot: async (request) => {
    const { vmId, rootId } = request.params as RootParams;
    const gpa = parseU64((request.query as { gpa: string }).gpa, 'gpa');
    return request.server.vmStore.read(vmId, (vm) => vm.walk(rootId, gpa));
  },
};
