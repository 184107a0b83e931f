// Refuses every request target that is not a path ("origin-form", RFC 9112 3.2.1): the
// router would strip "http://host" from an absolute-form target and route the rest, so
// anything that read the URL text would see something else than the route that runs. A
// proxy-style target, "*" or a bare name is a 400 problem before any other hook runs.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { invalidInput } from '../../service/errors.js';

export default fp(
  async function requestTarget(app: FastifyInstance) {
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.raw.url?.startsWith('/')) return done();
      done(invalidInput('the request target must be a path starting with "/" (no scheme and host, no "*")', 'path'));
    });
  },
  { name: 'request-target', dependencies: ['problem'] },
);
