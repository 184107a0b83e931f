// Closing drains instead of dropping: once app.close() starts, every answer still being
// sent carries `Connection: close`, so each keep-alive connection ends right after its
// in-flight call is answered. (Node closes only the connections idle at that moment, and
// Fastify's keep-alive timeout is 72 s: without this, close would wait for clients to leave.)
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export default fp(
  async function gracefulClose(app: FastifyInstance) {
    let closing = false;
    app.addHook('preClose', (done) => {
      closing = true;
      done();
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (closing) reply.header('connection', 'close');
      done(null, payload);
    });
  },
  { name: 'graceful-close' },
);
