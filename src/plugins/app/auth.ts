// Optional multi-user bearer tokens. With none configured the server runs open (every call
// acts as ANY_OWNER). With tokens, every route needs `Authorization: Bearer <token>` unless
// contract/route-access.ts lists it as open: the decision is taken on the route the router
// matched, never on the URL text. The request carries its token's sha256 as `owner`, and a
// VM belongs to the token that created it: for any other token a route naming it in {vmId}
// answers exactly as for a VM that does not exist (404), except a teacher's: a teacher token
// reads any student's VM on a read-only route (walk, mappings, log) to help, and is refused
// (403) on every route that would change it. METRICS_TOKEN, when set, guards
// /metrics the same way (and only /metrics).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { readOnlyRoute, routeAccess } from '../../contract/route-access.js';
import { forbidden, ServiceError, vmNotFound } from '../../service/errors.js';
import { ANY_OWNER, teacherWrite, type Owner } from '../../service/owner.js';
import { matchToken } from '../../service/token-hash.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** sha256 (hex) of the caller's bearer token; ANY_OWNER when the server runs open; undefined: nobody (an open route, or no valid token). */
    owner?: Owner;
    /** The token's role; undefined when the server runs open (no roles) or without a valid token. */
    role?: 'teacher' | 'student';
  }
}

interface AuthOptions {
  /** sha256 (hex) of every accepted student token; with the teachers' empty: no authentication. */
  tokenHashes: readonly string[];
  /** sha256 (hex) of the teachers' tokens. */
  teacherTokenHashes?: readonly string[];
  /** sha256 (hex) of the token /metrics needs; undefined: /metrics is open. */
  metricsTokenHash?: string | undefined;
}

/** A teacher's token, or a server running open: sees every student's work and the answer keys. */
export const seesEverything = (request: FastifyRequest): boolean =>
  request.owner === ANY_OWNER || (request.owner !== undefined && request.role === 'teacher');

/** A teacher token on a read-only route: it reads what any student owns (and changes none of it). */
export const teacherReads = (request: FastifyRequest): boolean => request.role === 'teacher' && readOnlyRoute(request.routeOptions);

/** Teachers only when tokens are on (403 for a student token, and for no token at all); an open server has no roles. */
export function requireTeacher(request: FastifyRequest, what: string): void {
  if (!seesEverything(request)) throw forbidden(`${what} is for teachers: use a teacher token (TEACHER_TOKENS)`);
}

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;

function unauthorized(token: string | undefined): ServiceError {
  return new ServiceError(
    401,
    'unauthorized',
    token === undefined ? 'this call needs an Authorization: Bearer <token> header' : 'the bearer token is not valid',
  );
}

const refused = new WeakMap<FastifyRequest, ServiceError>();

export default fp(
  async function auth(app: FastifyInstance, { tokenHashes, teacherTokenHashes = [], metricsTokenHash }: AuthOptions) {
    const tokensOn = tokenHashes.length + teacherTokenHashes.length > 0;
    app.decorateRequest('owner', tokensOn ? undefined : ANY_OWNER);
    app.decorateRequest('role', undefined);
    if (!tokensOn && metricsTokenHash === undefined) return;
    const known = [...tokenHashes, ...teacherTokenHashes].map((h) => Buffer.from(h, 'hex'));
    const teachers = new Set(teacherTokenHashes);
    const metricsKnown = metricsTokenHash === undefined ? [] : [Buffer.from(metricsTokenHash, 'hex')];

    // Who calls; a refusal is only recorded here, so the rate limiter (the next onRequest
    // hook) counts failed-token calls too, by IP.
    app.addHook('onRequest', async (request) => {
      const access = routeAccess(request.routeOptions);
      const needs = access === 'api' && tokensOn ? known : access === 'metrics' ? metricsKnown : [];
      if (needs.length === 0) return;
      const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
      const owner = token === undefined ? undefined : matchToken(token, needs);
      if (owner === undefined) return void refused.set(request, unauthorized(token));
      if (access !== 'api') return;
      request.owner = owner;
      request.role = teachers.has(owner) ? 'teacher' : 'student';
    });

    // The refusal itself: after every onRequest hook, before any body is read.
    app.addHook('preParsing', async (request, reply, payload) => {
      const problem = refused.get(request);
      if (problem === undefined) return payload;
      reply.header('www-authenticate', 'Bearer realm="prefault-lab"');
      throw problem;
    });

    // After validation, so another token's VM and a missing VM answer alike even for bad input.
    app.addHook('preHandler', async (request: FastifyRequest) => {
      const params = request.params;
      if (typeof params !== 'object' || params === null || !('vmId' in params) || typeof params.vmId !== 'string') return;
      if (app.liveVms.visible(params.vmId, request.owner)) return;
      if (request.role === 'teacher' && app.liveVms.visible(params.vmId, ANY_OWNER)) {
        if (teacherReads(request)) return;
        throw teacherWrite(`VM ${params.vmId}`);
      }
      throw vmNotFound(params.vmId);
    });
  },
  { name: 'auth', dependencies: ['persistence', 'problem'] },
);
