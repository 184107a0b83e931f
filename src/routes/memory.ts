// Memslots (KVM_SET_USER_MEMORY_REGION2) and memory attributes (KVM_SET_MEMORY_ATTRIBUTES).
import type { LevelName, MemslotFlag, MemslotSpec } from '../sim/index.js';
import { compact, optionalU64, sendCommitted, u64, type Handler, type MemslotParams, type VmParams } from './parse.js';

interface MemslotBody {
  guestPhysAddr: unknown;
  size: unknown;
  userspaceAddr?: unknown;
  flags?: MemslotFlag[];
  guestMemfdOffset?: unknown;
  backing?: { pageSize?: LevelName; writable?: boolean; mapped?: boolean };
}

interface AttributesBody {
  address: unknown;
  size: unknown;
  private: boolean;
}

export const memoryHandlers: Record<string, Handler> = {
  putMemslot: async (request, reply) => {
    const { vmId, addressSpace, slot } = request.params as MemslotParams;
    const body = request.body as MemslotBody;
    const region: MemslotSpec = compact({
      guestPhysAddr: u64(body.guestPhysAddr, 'guestPhysAddr'),
      size: u64(body.size, 'size'),
      userspaceAddr: optionalU64(body.userspaceAddr, 'userspaceAddr'),
      flags: body.flags,
      guestMemfdOffset: optionalU64(body.guestMemfdOffset, 'guestMemfdOffset'),
      backing: body.backing,
    });
    return sendCommitted(reply, await request.server.vmStore.execute(vmId, { op: 'set_memslot', addressSpace, slot, region }));
  },

  deleteMemslot: async (request, reply) => {
    const { vmId, addressSpace, slot } = request.params as MemslotParams;
    return sendCommitted(reply, await request.server.vmStore.execute(vmId, { op: 'delete_memslot', addressSpace, slot }));
  },

  listMemslots: async (request) =>
    request.server.vmStore.read((request.params as VmParams).vmId, (vm) => ({ memslots: vm.memslots() })),

  setMemoryAttributes: async (request, reply) => {
    const body = request.body as AttributesBody;
    const committed = await request.server.vmStore.execute((request.params as VmParams).vmId, {
      op: 'set_memory_attributes',
      address: u64(body.address, 'address'),
      size: u64(body.size, 'size'),
      private: body.private,
    });
    return sendCommitted(reply, committed);
  },

  listMemoryAttributes: async (request) =>
    request.server.vmStore.read((request.params as VmParams).vmId, (vm) => ({ memoryAttributes: vm.memoryAttributes() })),
};
