// Handlers typed by operationId from the types generated out of openapi.yaml: a handler's
// request.params, request.query and request.body are the document's, as Ajv validated them,
// with no casts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BodyOf, OperationId, ParamsOf, QueryOf } from '../contract/requests.js';

type Handler<K extends OperationId> = (
  request: FastifyRequest<{ Params: ParamsOf<K>; Querystring: QueryOf<K>; Body: BodyOf<K> }>,
  reply: FastifyReply,
) => Promise<unknown>;

/** One handler per operation of openapi.yaml. */
export type Handlers = { [K in OperationId]: Handler<K> };

/** Sends a committed operation's result as the JSON text that was logged (no second serialisation). */
export const sendCommitted = (reply: FastifyReply, committed: { json: string }): FastifyReply =>
  reply.type('application/json; charset=utf-8').send(committed.json);
