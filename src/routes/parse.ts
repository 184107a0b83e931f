// What every handler shares: its signature, the path parameters, and sending a committed
// operation's logged JSON as is.
import type { FastifyReply, FastifyRequest } from 'fastify';

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

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
