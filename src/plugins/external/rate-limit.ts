// Per-client rate limiting (@fastify/rate-limit, in-memory) of every route but the open ones
// (contract/route-access.ts: probes, the document, the viewer), decided on the matched route
// like the token check: /v1 calls, /metrics, unmatched paths and calls refused for a missing
// or wrong token all count. A client is its bearer token once auth accepted it, else its IP
// (IPv6 by /64). Past the limit: a 429 `rate-limited` problem with Retry-After. max 0 turns it off.
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { RateLimitConfig } from '../../config.js';
import { routeAccess } from '../../contract/route-access.js';
import { ServiceError } from '../../service/errors.js';

export default fp(
  async function rateLimiting(app: FastifyInstance, { max, windowMs }: RateLimitConfig) {
    if (max === 0) return;
    await app.register(rateLimit, {
      global: false,
      max,
      timeWindow: windowMs,
      keyGenerator: (request) => (typeof request.owner === 'string' ? `token:${request.owner}` : `ip:${normalizeIP(request.ip)}`),
      errorResponseBuilder: (_request, context) =>
        new ServiceError(
          429,
          'rate-limited',
          `more than ${context.max} requests in ${windowMs / 1000} s from this client; retry in ${context.after}`,
        ),
    });
    const limit = app.rateLimit();
    // An app-wide onRequest hook registered after auth's: the caller is known, and a call
    // auth refused is counted before auth's preParsing hook answers it with 401.
    app.addHook('onRequest', async (request, reply) => {
      if (routeAccess(request.routeOptions) !== 'open') await limit.call(app, request, reply);
    });
  },
  { name: 'rate-limit', dependencies: ['auth', 'problem'] },
);
