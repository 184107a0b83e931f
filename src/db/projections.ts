// What an operation writes besides its log entry: the fixed-width target range of the
// operation row, and fresh copies of the engine views the operation kind can change
// (memslots, vCPU modes, attribute ranges; the engine host reads them after applying).
// The mirror tables are for people querying the database; the service never reads them
// back (the log is the durable record).
import type { MemslotView, Operation, VcpuView } from '../sim/index.js';
import { toFixedHex } from './fixed-hex.js';

export interface Projection {
  memslots?: MemslotView[];
  vcpus?: VcpuView[];
  attributes?: { address: string; size: string; private: boolean }[];
}

/** A memslot's row of the Memslot mirror table, in column order: both stores' writers insert it. */
export function memslotRow(vmId: string, m: MemslotView): (string | number)[] {
  const hex = [m.guestPhysAddr, m.size, m.userspaceAddr, m.guestMemfdOffset].map((v) => toFixedHex(v));
  return [vmId, m.addressSpace, m.slot, ...hex, JSON.stringify(m.flags), JSON.stringify(m.backing)];
}

export function targetRange(op: Operation): { gpa: string | null; size: string | null } {
  switch (op.op) {
    case 'pre_fault':
      return { gpa: toFixedHex(op.gpa), size: toFixedHex(op.size) };
    case 'access':
      return { gpa: toFixedHex(op.gpa), size: null };
    case 'set_memslot':
      return { gpa: toFixedHex(op.region.guestPhysAddr), size: toFixedHex(op.region.size) };
    case 'set_memory_attributes':
      return { gpa: toFixedHex(op.address), size: toFixedHex(op.size) };
    default:
      return { gpa: null, size: null };
  }
}
