// The one error handler: every failure becomes RFC 9457 application/problem+json.
// Caller mistakes (schema violations, the service's ServiceError, the engine's SimError,
// Fastify's own 4xx) keep their 4xx status and name the failing input in `field`; anything
// else is a logged 500. A route miss is a 404, or a 405 with `Allow` on a documented path;
// Node's parser errors (a request timing out) are written to the socket in the same form.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { MethodsOf } from '../../contract/path-methods.js';
import { ServiceError, type ProblemKind } from '../../service/errors.js';
import { SimError, type SimErrorCode } from '../../sim/index.js';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  field?: string;
  instance?: string;
}

const TITLES: Record<ProblemKind, string> = {
  'invalid-input': 'Invalid input',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  'request-timeout': 'Request timeout',
  conflict: 'Conflict',
  'payload-too-large': 'Payload too large',
  'response-too-large': 'Response too large',
  'unsupported-media-type': 'Unsupported media type',
  'limit-exceeded': 'Limit exceeded',
  'rate-limited': 'Too many requests',
  'not-ready': 'Not ready',
  overloaded: 'Overloaded',
  'storage-failure': 'Storage failure',
  'owner-unreachable': "The VM's instance could not be reached",
  'owner-timeout': "The VM's instance did not answer in time",
  internal: 'Internal error',
};

// limit -> 429: a quota (VMs, vCPUs, memslots) is used up; the request may succeed once
// something is freed. 413 stays reserved for bodies that are too large.
const SIM_ERRORS: Record<SimErrorCode, [number, ProblemKind]> = {
  invalid: [400, 'invalid-input'],
  not_found: [404, 'not-found'],
  conflict: [409, 'conflict'],
  limit: [429, 'limit-exceeded'],
};

const KIND_BY_STATUS: Record<number, ProblemKind> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'limit-exceeded',
  503: 'not-ready',
};

const U64_DETAIL = 'must be a u64: a JSON integer up to 2^53-1, or a "0x..." hex or decimal string up to 2^64-1';

function problem(status: number, kind: ProblemKind, detail: string, field?: string): Problem {
  return { type: `urn:prefault-lab:problem:${kind}`, title: TITLES[kind], status, detail, ...(field !== undefined && { field }) };
}

/** "/padding/2" + context -> "padding[2]"; the whole body -> "body". */
function fieldOf(error: ErrorObject, context: string): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  const path = segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
  return path || context;
}

/** A schema violation as a problem naming the first failing field. */
function validationProblem(errors: ErrorObject[], context: string): Problem {
  // A failed U64 (oneOf of integer | string) reports each branch; say what a u64 is instead.
  const u64 = errors.find((e) => (e.parentSchema as { title?: string } | undefined)?.title === 'U64');
  const error = u64 ?? errors[0];
  if (!error) return problem(400, 'invalid-input', `the ${context} is invalid`, context);
  const field = fieldOf(error, context);
  const detail = u64
    ? `${field} ${U64_DETAIL}`
    : error.keyword === 'required'
      ? `${field} is required`
      : error.keyword === 'additionalProperties'
        ? `${field} is not a known field here`
        : error.keyword === 'enum'
          ? `${field} must be one of: ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`
          : `${field} ${error.message ?? 'is invalid'}`;
  return problem(400, 'invalid-input', detail, field);
}

/** A body Fastify did not parse (no JSON content-type): say what this API takes and how to send it. */
function mediaTypeProblem(contentType: string | undefined): Problem {
  const sent = contentType ? `was sent as ${contentType.split(';')[0]!.trim()}` : 'came without a content-type';
  return problem(
    415,
    'unsupported-media-type',
    `the request body ${sent}; this API reads JSON bodies only: send the header "content-type: application/json" (curl: -H 'content-type: application/json')`,
  );
}

function toProblem(error: FastifyError | Error, request: FastifyRequest): Problem {
  const log = request.log;
  if (error instanceof ServiceError) return problem(error.status, error.kind, error.message, error.field);
  if (error instanceof SimError) {
    const [status, kind] = SIM_ERRORS[error.code];
    return problem(status, kind, error.message, error.field);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return validationProblem(fastifyError.validation as ErrorObject[], fastifyError.validationContext ?? 'body');
  const status = fastifyError.statusCode;
  if (status === 415) return mediaTypeProblem(request.headers['content-type']);
  if (status !== undefined && status >= 400 && status < 500) {
    const kind = KIND_BY_STATUS[status] ?? 'invalid-input';
    // Fastify's 4xx before validation are about the body as a whole (bad JSON, empty, ...).
    return problem(status, kind, error.message, kind === 'invalid-input' ? 'body' : undefined);
  }
  log.error({ err: error }, 'unhandled error');
  return problem(500, 'internal', 'the server failed to handle this request; it has been logged');
}

function sendProblem(reply: FastifyReply, request: FastifyRequest, body: Problem): FastifyReply {
  return reply
    .code(body.status)
    .type('application/problem+json; charset=utf-8')
    .send({ ...body, instance: request.url });
}

// Router refusals before any route runs: a path parameter over find-my-way's 100 characters
// (Fastify's own answer is a plain-JSON 414) or a malformed %-escape. No parameter may be
// that long anyway, so both are the caller's bad path: a 400 naming it.
const PATH_ERRORS = new Set(['FST_ERR_MAX_PARAM_LENGTH', 'FST_ERR_BAD_URL']);

/** Fastify's `frameworkErrors` option: router errors as problems too. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const body = PATH_ERRORS.has(error.code)
    ? problem(400, 'invalid-input', 'the path is malformed or a path parameter is too long', 'path')
    : toProblem(error, request);
  void sendProblem(reply, request, body);
}

// Errors of Node's HTTP parser, before Fastify has a request to reply to: the headers or the
// body not arriving within REQUEST_TIMEOUT_MS, headers over Node's limit, bytes that are not
// HTTP. Written to the socket as problem+json too, then the connection is closed.
const CLIENT_ERRORS: Record<string, [number, ProblemKind, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', "the request (headers and body) did not arrive within the server's request timeout"],
  HPE_HEADER_OVERFLOW: [431, 'invalid-input', 'the request headers are larger than the server accepts'],
};

/** Fastify's `clientErrorHandler` option. */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return; // the client is gone: nobody to answer
  const [status, kind, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'invalid-input', 'the request is not valid HTTP/1.1'];
  this.log.debug({ err: error }, 'client error');
  const body = JSON.stringify(problem(status, kind, detail));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(error);
}

interface ProblemOptions {
  /** The methods the document gives a path: a route miss on a documented path is a 405 naming them. */
  methodsOf?: MethodsOf;
}

/** Nothing to answer: 405 with `Allow` when the path is documented with other methods only, else 404. */
function routeMiss(request: FastifyRequest, reply: FastifyReply, methodsOf: MethodsOf): FastifyReply {
  const path = request.url.split('?')[0]!;
  const allowed = methodsOf(path);
  // A method the path takes got here from its handler (reply.callNotFound: e.g. no such UI file).
  if (allowed.length === 0 || allowed.includes(request.method))
    return sendProblem(reply, request, problem(404, 'not-found', `no route ${request.method} ${path}`));
  void reply.header('allow', allowed.join(', '));
  return sendProblem(reply, request, problem(405, 'method-not-allowed', `${path} takes ${allowed.join(', ')}, not ${request.method}`));
}

export default fp(
  async function problemPlugin(app: FastifyInstance, { methodsOf = () => [] }: ProblemOptions) {
    // No route takes text: without this parser a text/plain body reaches validation as a
    // string ("body must be object"); now it is the 415 above, which says what to send.
    app.removeContentTypeParser('text/plain');
    app.setErrorHandler((error, request, reply) => {
      if (error instanceof ServiceError && error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
      return sendProblem(reply, request, toProblem(error as Error, request));
    });
    app.setNotFoundHandler((request, reply) => routeMiss(request, reply, methodsOf));
  },
  { name: 'problem' },
);
