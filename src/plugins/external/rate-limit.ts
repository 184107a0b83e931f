// Per-client rate limiting of /v1 calls (@fastify/rate-limit, in-memory): a client is its
// bearer token when tokens are on, else its IP (IPv6 by /64). Past the limit: a 429
// `rate-limited` problem with Retry-After. max 0 turns it off.
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { RateLimitConfig } from '../../config.js';
import { isApiPath } from '../../contract/api-path.js';
import { ServiceError } from '../../service/errors.js';

export default fp(
  async function rateLimiting(app: FastifyInstance, { max, windowMs }: RateLimitConfig) {
    if (max === 0) return;
    await app.register(rateLimit, {
      global: true,
      max,
      timeWindow: windowMs,
      // Runs after auth's onRequest hook (route hooks follow app hooks), so `owner` is known.
      keyGenerator: (request) => (request.owner !== undefined ? `token:${request.owner}` : `ip:${normalizeIP(request.ip)}`),
      allowList: (request) => !isApiPath(request.url),
      errorResponseBuilder: (_request, context) =>
        new ServiceError(
          429,
          'rate-limited',
          `more than ${context.max} requests in ${windowMs / 1000} s from this client; retry in ${context.after}`,
        ),
    });
  },
  { name: 'rate-limit', dependencies: ['auth', 'problem'] },
);
