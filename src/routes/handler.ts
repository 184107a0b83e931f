// Handlers typed by operationId from the types generated out of openapi.yaml: a handler's
// request.params, request.query and request.body are the document's, as Ajv validated them,
// with no casts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BodyOf, OperationId, ParamsOf, QueryOf, ResponseOf } from '../contract/operation-types.js';
import type { AccessResult, IoctlResult, MemslotResult, PreFaultResult, VcpuView } from '../sim/index.js';

type Handler<K extends OperationId> = (
  request: FastifyRequest<{ Params: ParamsOf<K>; Querystring: QueryOf<K>; Body: BodyOf<K> }>,
  reply: FastifyReply,
) => Promise<ResponseOf<K> | FastifyReply>;

/** One handler per operation of openapi.yaml. */
export type Handlers = { [K in OperationId]: Handler<K> };

/** What the x86 engine answers each state-changing operation (src/sim/types.ts), as its log entry holds it. */
interface EngineAnswers {
  createVcpu: VcpuView | IoctlResult;
  patchVcpu: VcpuView | IoctlResult;
  preFault: PreFaultResult;
  guestAccess: AccessResult;
  putMemslot: MemslotResult;
  deleteMemslot: MemslotResult;
  finalizeVm: IoctlResult;
  setMemoryAttributes: IoctlResult;
}

/** `K` when the engine's answer type fits the contract's success body of operation K; `never` (a compile error at the call) when they drifted apart. */
type Checked<K extends keyof EngineAnswers> = EngineAnswers[K] extends ResponseOf<K> ? K : never;

/**
 * Sends a committed operation's result as the JSON text that was logged (no second
 * serialisation). Naming the operation makes the compiler check the engine's answer type
 * against the contract's response for it, since the text itself is never re-typed.
 */
export const sendCommitted = <K extends keyof EngineAnswers>(
  reply: FastifyReply,
  committed: { json: string },
  _operation: Checked<K>,
): FastifyReply => reply.type('application/json; charset=utf-8').send(committed.json);
