// Optional multi-user bearer tokens. With none configured the server runs open. With
// tokens, every /v1 call needs `Authorization: Bearer <token>` (401 otherwise; health,
// readiness, the document and the UI stay open), the request carries its token's sha256 as
// `owner`, and a VM belongs to the token that created it: for any other token a route
// naming it in {vmId} answers exactly as for a VM that does not exist (404).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isApiPath } from '../../contract/api-path.js';
import { forbidden, ServiceError, vmNotFound } from '../../service/errors.js';
import { matchToken } from '../../service/token-hash.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** sha256 (hex) of the caller's bearer token; undefined when the server runs open. */
    owner?: string;
    /** The token's role; undefined when the server runs open (no roles: everything allowed). */
    role?: 'teacher' | 'student';
  }
}

interface AuthOptions {
  /** sha256 (hex) of every accepted student token; with the teachers' empty: no authentication. */
  tokenHashes: readonly string[];
  /** sha256 (hex) of the teachers' tokens. */
  teacherTokenHashes?: readonly string[];
}

/** Teachers only when tokens are on (403 for a student token); an open server has no roles. */
export function requireTeacher(request: FastifyRequest, what: string): void {
  if (request.role === 'student') throw forbidden(`${what} is for teachers: use a teacher token (TEACHER_TOKENS)`);
}

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;

export default fp(
  async function auth(app: FastifyInstance, { tokenHashes, teacherTokenHashes = [] }: AuthOptions) {
    app.decorateRequest('owner', undefined);
    app.decorateRequest('role', undefined);
    if (tokenHashes.length === 0 && teacherTokenHashes.length === 0) return;
    const known = [...tokenHashes, ...teacherTokenHashes].map((h) => Buffer.from(h, 'hex'));
    const teachers = new Set(teacherTokenHashes);

    app.addHook('onRequest', async (request, reply) => {
      if (!isApiPath(request.url)) return;
      const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
      const owner = token === undefined ? undefined : matchToken(token, known);
      if (owner === undefined) {
        reply.header('www-authenticate', 'Bearer realm="prefault-lab"');
        throw new ServiceError(
          401,
          'unauthorized',
          token === undefined ? 'this call needs an Authorization: Bearer <token> header' : 'the bearer token is not valid',
        );
      }
      request.owner = owner;
      request.role = teachers.has(owner) ? 'teacher' : 'student';
    });

    // After validation, so another token's VM and a missing VM answer alike even for bad input.
    app.addHook('preHandler', async (request: FastifyRequest) => {
      const params = request.params;
      if (typeof params !== 'object' || params === null || !('vmId' in params) || typeof params.vmId !== 'string') return;
      if (!app.vmStore.visible(params.vmId, request.owner)) throw vmNotFound(params.vmId);
    });
  },
  { name: 'auth', dependencies: ['persistence', 'problem'] },
);
