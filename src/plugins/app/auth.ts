// Optional multi-user bearer tokens. With none configured the server runs open. With
// tokens, every /v1 call needs `Authorization: Bearer <token>` (401 otherwise; health,
// readiness, the document and the UI stay open), the request carries its token's sha256 as
// `owner`, and a VM belongs to the token that created it: for any other token a route
// naming it in {vmId} answers exactly as for a VM that does not exist (404).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isApiPath } from '../../contract/api-path.js';
import { ServiceError, vmNotFound } from '../../service/errors.js';
import { matchToken } from '../../service/token-hash.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** sha256 (hex) of the caller's bearer token; undefined when the server runs open. */
    owner?: string;
  }
}

export interface AuthOptions {
  /** sha256 (hex) of every accepted token; empty: no authentication. */
  tokenHashes: readonly string[];
}

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;

export default fp(
  async function auth(app: FastifyInstance, { tokenHashes }: AuthOptions) {
    app.decorateRequest('owner', undefined);
    if (tokenHashes.length === 0) return;
    const known = tokenHashes.map((h) => Buffer.from(h, 'hex'));

    app.addHook('onRequest', async (request, reply) => {
      if (!isApiPath(request.url)) return;
      const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
      const owner = token === undefined ? undefined : matchToken(token, known);
      if (owner === undefined) {
        reply.header('www-authenticate', 'Bearer realm="prefault-lab"');
        throw new ServiceError(401, 'unauthorized', token === undefined ? 'this call needs an Authorization: Bearer <token> header' : 'the bearer token is not valid');
      }
      request.owner = owner;
    });

    // After validation, so another token's VM and a missing VM answer alike even for bad input.
    app.addHook('preHandler', async (request: FastifyRequest) => {
      const vmId = (request.params as { vmId?: unknown } | undefined)?.vmId;
      if (typeof vmId === 'string' && !app.vmStore.visible(vmId, request.owner)) throw vmNotFound(vmId);
    });
  },
  { name: 'auth', dependencies: ['persistence', 'problem'] },
);
