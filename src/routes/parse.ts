// Request -> engine vocabulary: u64 inputs become canonical lower-case "0x..." strings
// (what engine Operations carry), and absent optional fields stay absent so logged
// operations are byte-stable.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hex, parseU64, type Hex } from '../sim/index.js';

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** A contract u64 (integer or "0x.."/decimal string) as canonical hex; 400 naming `field` otherwise. */
export const u64 = (value: unknown, field: string): Hex => hex(parseU64(value, field));

export const optionalU64 = (value: unknown, field: string): Hex | undefined =>
  value === undefined ? undefined : u64(value, field);

/** Drops keys whose value is undefined. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

export interface VmParams {
  vmId: string;
}
export interface VcpuParams extends VmParams {
  vcpuId: number;
}
export interface RootParams extends VmParams {
  rootId: string;
}
export interface MemslotParams extends VmParams {
  addressSpace: number;
  slot: number;
}
export interface PageQuerystring {
  limit?: number;
  cursor?: string;
}

/** Sends a committed operation's result as the JSON text that was logged (no second serialisation). */
export const sendCommitted = (reply: FastifyReply, committed: { json: string }): FastifyReply =>
  reply.type('application/json; charset=utf-8').send(committed.json);
